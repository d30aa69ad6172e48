import { configReference } from "../src/core/configDocs.js";

process.stdout.write(configReference());
