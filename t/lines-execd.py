#!/usr/bin/env python3
"""lines-execd.py PORTFILE: a stand-in for the Go execd's POST /command,
for tests of clients against a server that frames output as lines only:
it runs the command, then sends its output as readFromPos does (a line per
event, "\\n" for an empty one, the tail unterminated), each event a bare
JSON object and a blank line, and ignores fields it does not know
(osb_framing). The port it listens on goes to PORTFILE."""
import json
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def lines(data):
    """The texts readFromPos sends for data."""
    out, cur, cr = [], bytearray(), False
    for b in data:
        if b in (10, 13):
            if cur:
                out.append(cur.decode("utf-8", "replace"))
                cur = bytearray()
            elif not (b == 10 and cr):
                out.append("\n")
            cr = b == 13
            continue
        cr = False
        cur.append(b)
    if cur:
        out.append(cur.decode("utf-8", "replace"))
    return out


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_event(self, ev):
        self.wfile.write(json.dumps(ev).encode() + b"\n\n")

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        p = subprocess.run(["bash", "-c", body["command"]],
                           stdin=subprocess.DEVNULL, capture_output=True)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.send_event({"type": "init", "text": "0" * 32})
        for kind, data in (("stdout", p.stdout), ("stderr", p.stderr)):
            for text in lines(data):
                self.send_event({"type": kind, "text": text})
        if p.returncode == 0:
            self.send_event({"type": "execution_complete",
                             "execution_time": 1})
        else:
            why = "exit status %d" % p.returncode
            self.send_event({"type": "error", "error": {
                "ename": "CommandExecError", "evalue": str(p.returncode),
                "traceback": [why]}})
        self.close_connection = True


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
