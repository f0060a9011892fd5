"""SMTP sink for the notify tests: a real aiosmtpd server on 127.0.0.1:PORT
that writes every message it accepts to OUTDIR/<n>.eml, prints "ready"
once listening and stops when its standard input closes. Recipients whose
local part starts with "refused" get 550 (mailbox unknown), those starting
with "busy" get 450 (try later).

Options, as a production relay is set up:
  --tls CERT KEY  offer STARTTLS with this certificate chain and key (PEM),
                  and refuse MAIL before it (530)
  --auth USER:PW  require AUTH (PLAIN or LOGIN, only over TLS) as USER with
                  password PW; a wrong password gets 535

Each stored message starts with X-Rcpt (the recipients), X-TLS (yes when
the session ran STARTTLS) and X-Auth (the authenticated user, or none)."""
import os
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("refused"):
            return "550 5.1.1 mailbox unknown"
        if local.startswith("busy"):
            return "450 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        tmp = os.path.join(self.outdir, "%d.tmp" % self.n)
        user = session.auth_data.login.decode() if session.authenticated else "none"
        with open(tmp, "wb") as f:
            f.write(b"X-Rcpt: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(b"X-TLS: " + (b"yes" if session.ssl is not None else b"no") + b"\r\n")
            f.write(b"X-Auth: " + user.encode() + b"\r\n")
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.outdir, "%d.eml" % self.n))
        return "250 OK"


class Authenticator:
    def __init__(self, user, password):
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and \
            auth_data.login == self.user and auth_data.password == self.password
        return AuthResult(success=ok, auth_data=auth_data if ok else None, handled=False)


def main():
    args = sys.argv[1:]
    port, outdir, opts = int(args[0]), args[1], args[2:]
    kw = {}
    while opts:
        if opts[0] == "--tls":
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(opts[1], opts[2])
            kw.update(tls_context=ctx, require_starttls=True)
            opts = opts[3:]
        elif opts[0] == "--auth":
            user, password = opts[1].split(":", 1)
            kw.update(authenticator=Authenticator(user, password), auth_required=True, auth_require_tls=True)
            opts = opts[2:]
        else:
            sys.exit("unknown option %s" % opts[0])
    c = Controller(Sink(outdir), hostname="127.0.0.1", port=port, **kw)
    c.start()
    print("ready", flush=True)
    sys.stdin.read()
    c.stop()


if __name__ == "__main__":
    main()
