import { messengerContract } from "./messenger-contract";
import {
  discordMessengerDriver,
  playgroundMessengerDriver,
  slackMessengerDriver,
  telegramMessengerDriver,
} from "./messenger-drivers";

messengerContract("slack", slackMessengerDriver);
messengerContract("telegram", telegramMessengerDriver);
messengerContract("discord", discordMessengerDriver);
messengerContract("playground", playgroundMessengerDriver);
