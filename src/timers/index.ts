export { TimerDuty, type TimerDutyOptions } from "./duty";
export { runTimerTick } from "./timer.service";
