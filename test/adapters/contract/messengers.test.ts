import { chatPlatformMessengerContract, messengerContract } from "./messenger-contract";
import {
  discordMessengerDriver,
  playgroundMessengerDriver,
  slackMessengerDriver,
  telegramMessengerDriver,
} from "./messenger-drivers";

chatPlatformMessengerContract("slack", slackMessengerDriver);
chatPlatformMessengerContract("telegram", telegramMessengerDriver);
chatPlatformMessengerContract("discord", discordMessengerDriver);
messengerContract("playground", playgroundMessengerDriver);
