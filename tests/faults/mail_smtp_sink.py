"""An SMTP sink on 127.0.0.1 for tests/faults/mail_smtp.sh: every message it receives is written
to DIR as N.eml (the whole message, as received), with the envelope in N.env.
Usage: mail_smtp_sink.py DIR PORT [DELAY_SECONDS]   (DELAY: how long it takes to accept DATA)"""
import asyncio
import pathlib
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out: pathlib.Path, delay: float):
        self.out = out
        self.delay = delay
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.n += 1
        (self.out / f"{self.n}.eml").write_bytes(envelope.original_content or envelope.content)
        (self.out / f"{self.n}.env").write_text(f"{envelope.mail_from}\n{' '.join(envelope.rcpt_tos)}\n")
        print(f"received message {self.n}", flush=True)
        return "250 OK"


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    port = int(sys.argv[2])
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    controller = Controller(Sink(out, delay), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"SMTP sink on 127.0.0.1:{port}", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
