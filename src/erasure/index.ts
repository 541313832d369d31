export { ErasureResolver } from "./erasure.resolver";
export { ERASURE_ACK_TIMEOUT_MS, eraseUser } from "./erasure.service";
