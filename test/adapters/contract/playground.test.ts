import { adapterContract } from "./adapter-contract";
import { playgroundDriver } from "./playground-driver";

adapterContract("playground", playgroundDriver);
