// Placeholder until the native engine lands: building the oneDNN addon is optional, so this never fails the install.
console.log("tsgan: native engine not built (not implemented yet); using the TF.js wasm/cpu backends");
