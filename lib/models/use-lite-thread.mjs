// Worker-thread entry: the model runs here so its single-threaded WebAssembly work never
// blocks the server's event loop (a batch takes seconds on a small CPU).
import { parentPort } from "node:worker_threads";
import { embedFlat, loadUseLiteModel } from "./use-lite-model.mjs";

const model = await loadUseLiteModel();
parentPort.postMessage({ type: "ready" });

parentPort.on("message", async (message) => {
  if (message.type === "close") {
    model.model.dispose();
    parentPort.close();
    return;
  }
  try {
    const vectors = await embedFlat(model, message.texts);
    parentPort.postMessage({ type: "result", id: message.id, vectors }, [vectors.buffer]);
  } catch (err) {
    parentPort.postMessage({
      type: "error",
      id: message.id,
      message: err instanceof Error ? err.message : String(err),
    });
  }
});
