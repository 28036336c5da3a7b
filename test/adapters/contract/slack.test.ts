import { adapterContract } from "./adapter-contract";
import { paymentContract } from "./payment-contract";
import { slackDriver } from "./slack-driver";

adapterContract("slack", slackDriver);
paymentContract("slack", slackDriver);
