"""ws.py — a small WebSocket client for the tests of osb-execd's /pty API:
enough RFC 6455 to do the handshake, send masked frames and read frames.

    c = Conn(url_path, port)         # handshake; c.status, c.headers
    c.send_text('{"type":"ping"}'); c.send_binary(b"\\x00ls\\n")
    op, data = c.recv()              # one frame; None at the end
"""
import base64
import json
import os
import socket
import struct


class Conn:
    def __init__(self, port, path, timeout=10, handshake=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout)
        self.buf = b""
        self.status = None
        self.body = b""
        if handshake:
            self.handshake(path)

    def handshake(self, path, headers=None):
        key = base64.b64encode(os.urandom(16)).decode()
        h = headers if headers is not None else {
            "Upgrade": "websocket", "Connection": "Upgrade",
            "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13"}
        req = "GET %s HTTP/1.1\r\nHost: t\r\n" % path
        req += "".join("%s: %s\r\n" % kv for kv in h.items()) + "\r\n"
        self.sock.sendall(req.encode())
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = dict(l.split(": ", 1) for l in lines[1:])
        if self.status != 101:
            n = int(self.headers.get("Content-Length", 0))
            while len(self.buf) < n:
                self.buf += self.sock.recv(65536)
            self.body = self.buf[:n]

    def send(self, op, payload, fin=True, mask=True):
        head = bytes([(0x80 if fin else 0) | op])
        n = len(payload)
        m = 0x80 if mask else 0
        if n < 126:
            head += bytes([m | n])
        elif n < 65536:
            head += bytes([m | 126]) + struct.pack(">H", n)
        else:
            head += bytes([m | 127]) + struct.pack(">Q", n)
        if mask:
            key = os.urandom(4)
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
            head += key
        self.sock.sendall(head + payload)

    def send_text(self, text):
        self.send(1, text.encode())

    def send_json(self, doc):
        self.send_text(json.dumps(doc))

    def send_binary(self, data):
        self.send(2, data)

    def _need(self, n):
        while len(self.buf) < n:
            got = self.sock.recv(65536)
            if not got:
                return False
            self.buf += got
        return True

    def recv(self):
        """The next frame as (opcode, payload), None when closed."""
        if not self._need(2):
            return None
        n = self.buf[1] & 0x7F
        at = 2
        if n == 126:
            self._need(4)
            n, at = struct.unpack(">H", self.buf[2:4])[0], 4
        elif n == 127:
            self._need(10)
            n, at = struct.unpack(">Q", self.buf[2:10])[0], 10
        if not self._need(at + n):
            return None
        op, data = self.buf[0] & 0x0F, self.buf[at:at + n]
        self.buf = self.buf[at + n:]
        return op, data

    def until(self, want):
        """Frames until one for which want(op, data) holds; all of them."""
        seen = []
        while True:
            f = self.recv()
            if f is None:
                raise EOFError("closed after %r" % seen)
            seen.append(f)
            if want(*f):
                return seen

    def output_until(self, text):
        """The output (type 0x01/0x03 frames) until it holds text."""
        out = b""
        while text.encode() not in out:
            f = self.recv()
            if f is None:
                raise EOFError("closed, output so far %r" % out)
            op, data = f
            if op == 2 and data[:1] == b"\x01":
                out += data[1:]
            elif op == 2 and data[:1] == b"\x03":
                out += data[9:]
        return out
