// An OpenAI-compatible model server on loopback for the formatted-answer browser tests
// (e2e/answers.spec.ts). Playwright starts it as a web server and one app server uses it as
// MODEL_SERVER_URL, so the answer reaches the page through the real openai generator, citation
// check and chat stream. It writes what a capable model writes: a Markdown answer with a table,
// a list, bold text and citations, built from the first passage in the prompt, plus one claim no
// passage supports and some raw HTML that the page must never render. Tokens come a few
// characters at a time with a short pause, so the page is seen while the answer streams.

import http from "node:http";

const port = Number(process.env.MD_MODEL_PORT);
if (!port) throw new Error("MD_MODEL_PORT is required");

/** The first sentence of passage n="1" in the system prompt. */
function firstPassageSentence(messages) {
  const system = messages.find((m) => m.role === "system")?.content ?? "";
  const body = /<passage n="1"[^>]*>\n([\s\S]*?)\n<\/passage>/.exec(system)?.[1] ?? "";
  const line = body.split("\n").find((l) => /[a-z]{4}.*\.$/i.test(l.trim())) ?? body;
  return line.trim().replace(/\.$/, "");
}

function answer(messages) {
  const fact = firstPassageSentence(messages);
  return [
    "Here is what the protocol says [1].",
    "",
    "| Dressing | Rule |",
    "|---|---|",
    `| Transparent | ${fact} [1] |`,
    "",
    `- **${fact}** [1].`,
    "- Purple unicorns sing lullabies to the dressing trolley every midnight [1].",
    "",
    'Ask the <b onclick="window.__answerScript = 2">ward sister</b> if unsure.',
    "",
    '<img src="http://127.0.0.1:9/leak.png" alt="leak"><script>window.__answerScript = 1</script>',
  ].join("\n");
}

function pieces(text) {
  const out = [];
  for (let i = 0; i < text.length; i += 6) out.push(text.slice(i, i + 6));
  return out;
}

const server = http.createServer(async (req, res) => {
  if (req.method === "GET" && req.url === "/v1/models") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ object: "list", data: [{ id: "markdown-writer", object: "model", max_model_len: 8192 }] }),
    );
    return;
  }
  if (req.method === "POST" && req.url === "/v1/chat/completions") {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
    let closed = false;
    res.on("close", () => (closed = true));
    for (const piece of pieces(answer(body.messages ?? []))) {
      if (closed) return;
      res.write(
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`,
      );
      await new Promise((r) => setTimeout(r, 30));
    }
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`);
    res.end("data: [DONE]\n\n");
    return;
  }
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { message: "not found" } }));
});

server.listen(port, "127.0.0.1");
