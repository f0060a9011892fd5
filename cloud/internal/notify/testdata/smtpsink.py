"""SMTP sink for the notify tests: a real aiosmtpd server on 127.0.0.1:PORT
that writes every message it accepts to OUTDIR/<n>.eml, prints "ready"
once listening and stops when its standard input closes. Recipients whose
local part starts with "refused" get 550 (mailbox unknown), those starting
with "busy" get 450 (try later)."""
import os
import sys

from aiosmtpd.controller import Controller


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
        with open(tmp, "wb") as f:
            f.write(b"X-Rcpt: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.outdir, "%d.eml" % self.n))
        return "250 OK"


def main():
    port, outdir = int(sys.argv[1]), sys.argv[2]
    c = Controller(Sink(outdir), hostname="127.0.0.1", port=port)
    c.start()
    print("ready", flush=True)
    sys.stdin.read()
    c.stop()


if __name__ == "__main__":
    main()
