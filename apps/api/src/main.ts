import { fatal, main } from "./server.js";

main().catch(fatal);
