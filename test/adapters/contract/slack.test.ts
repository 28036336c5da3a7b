import { adapterContract } from "./adapter-contract";
import { slackDriver } from "./slack-driver";

adapterContract("slack", slackDriver);
