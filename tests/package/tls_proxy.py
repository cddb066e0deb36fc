"""A throwaway PKI made with the `openssl` command and a TLS front for a local plain-HTTP server,
so that a test can reach the local S3 server over https with a certificate only its own CA
trusts."""

import os
import select
import socket
import ssl
import subprocess
import threading

_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def _openssl(*args, cwd):
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed: {result.stderr.strip()}")


def make_ca(directory, name):
    """(certificate path, key path) of a new self-signed CA valid for two days."""
    cert, key = os.path.join(directory, f"{name}.crt"), os.path.join(directory, f"{name}.key")
    _openssl("req", "-x509", *_EC_KEY, "-keyout", key, "-out", cert, "-days", "2",
             "-subj", f"/CN=imgpipe throwaway {name}",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    return cert, key


def make_server_cert(directory, ca, ip="127.0.0.1"):
    """(certificate path, key path) for a server at `ip` (an IP SAN, which is what the HTTP
    client checks an IP literal against), signed by `ca`."""
    ca_cert, ca_key = ca
    cert, key = os.path.join(directory, "server.crt"), os.path.join(directory, "server.key")
    csr, ext = os.path.join(directory, "server.csr"), os.path.join(directory, "server.ext")
    with open(ext, "w") as f:
        f.write(f"subjectAltName=IP:{ip}\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    _openssl("req", "-new", *_EC_KEY, "-keyout", key, "-out", csr, "-subj", f"/CN={ip}",
             cwd=directory)
    _openssl("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
             "-out", cert, "-days", "2", "-extfile", ext, cwd=directory)
    return cert, key


class TlsProxy:
    """Terminates TLS on a free 127.0.0.1 port and relays the bytes to 127.0.0.1:upstream_port.
    Counts completed handshakes and records why the others failed (as the server saw it)."""

    def __init__(self, server_cert, upstream_port):
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(*server_cert)
        self._upstream_port = upstream_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self.handshakes = 0
        self.handshake_errors = []
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self._closing = True
        self._listener.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _accept(self):
        while not self._closing:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    def _relay(self, conn):
        conn.settimeout(30)
        try:
            tls = self._context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as err:
            with self._lock:
                self.handshake_errors.append(str(err))
            conn.close()
            return
        with self._lock:
            self.handshakes += 1
        try:
            with tls, socket.create_connection(("127.0.0.1", self._upstream_port)) as upstream:
                # One thread per connection, no concurrent use of the SSL object: HTTP/1.1 is
                # request then response, so relaying whichever side is ready cannot deadlock.
                while True:
                    ready = [tls] if tls.pending() else select.select([tls, upstream], [], [],
                                                                      30)[0]
                    if not ready:
                        return
                    if tls in ready:
                        data = tls.recv(65536)
                        if not data:
                            return
                        upstream.sendall(data)
                    if upstream in ready:
                        data = upstream.recv(65536)
                        if not data:
                            return
                        tls.sendall(data)
        except (ssl.SSLError, OSError):
            return  # the runtime is killed at the end of each run, mid-connection
