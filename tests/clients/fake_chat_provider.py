#!/usr/bin/env python3
"""A loopback stand-in for an OpenAI-compatible server, so the editor-client tests reach a remote model configured in
the editor: POST /v1/chat/completions streams a chat reply as SSE with usage; POST /v1/completions answers a
fill-in-the-middle completion (FIM_LINE after a line with code, FIM_BLOCK, two lines, on a blank line); GET /stats
says how many completions were asked for. Prints its port on the first line of stdout, serves until killed, and
stops by itself after 10 minutes or 400 requests."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY = ["np.loadtxt returns ", "a NumPy array ", "of the file's values."]
FIM_LINE = "fname, skiprows=1)"
FIM_BLOCK = "rows = np.loadtxt(fname)\n    return rows"
served = 0
completions = 0


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep stderr quiet
        pass

    def send_json(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.rstrip("/") != "/stats":
            self.send_error(404)
            return
        self.send_json({"completions": completions})

    def do_POST(self):
        global served, completions
        served += 1
        if served > 400:
            threading.Thread(target=self.server.shutdown).start()
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        if self.path.rstrip("/") == "/v1/completions":
            completions += 1
            last_line = request.get("prompt", "").split("\n")[-1]
            text = FIM_BLOCK if last_line.strip() == "" else FIM_LINE
            self.send_json({"id": "cmpl-1", "object": "text_completion", "model": request.get("model", "fake"),
                            "choices": [{"index": 0, "text": text, "finish_reason": "stop"}],
                            "usage": {"prompt_tokens": 7, "completion_tokens": 5, "total_tokens": 12}})
            return
        if self.path.rstrip("/") != "/v1/chat/completions":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()

        def send(obj):
            self.wfile.write(b"data: " + json.dumps(obj).encode() + b"\n\n")
            self.wfile.flush()

        base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": request.get("model", "fake")}
        for i, piece in enumerate(REPLY):
            delta = {"content": piece} if i else {"role": "assistant", "content": piece}
            send(dict(base, choices=[{"index": 0, "delta": delta, "finish_reason": None}]))
        send(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
        send(dict(base, choices=[], usage={"prompt_tokens": 42, "completion_tokens": 9, "total_tokens": 51}))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Timer(600, server.shutdown).start()
server.serve_forever()
