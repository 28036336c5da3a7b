import { adapterContract } from "./adapter-contract";
import { paymentContract } from "./payment-contract";
import { playgroundDriver } from "./playground-driver";

adapterContract("playground", playgroundDriver);
paymentContract("playground", playgroundDriver);
