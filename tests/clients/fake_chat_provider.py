#!/usr/bin/env python3
"""A loopback stand-in for an OpenAI-compatible chat server (POST /v1/chat/completions, streamed as SSE with
usage), so the editor-client tests can check that chat replies stream into the editor. Prints its port on the
first line of stdout, serves until killed, and stops by itself after 10 minutes or 200 requests."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY = ["np.loadtxt returns ", "a NumPy array ", "of the file's values."]
served = 0


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep stderr quiet
        pass

    def do_POST(self):
        global served
        served += 1
        if served > 200:
            threading.Thread(target=self.server.shutdown).start()
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
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
