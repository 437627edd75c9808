"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1, a free port), and its handler.

The handler keeps every accepted message; ``refuse`` answers the next N deliveries with
``451`` (try again later), as a busy or greylisting server would.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = 0  # answer this many deliveries with 451
        self.refuse_always = False
        self.delay = 0.0  # seconds per delivery (lets two senders overlap)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            if self.refuse_always or self.refuse > 0:
                self.refuse = max(self.refuse - 1, 0)
                return "451 4.3.0 Probeer het later opnieuw"
            self.messages.append(email.message_from_bytes(
                envelope.content, policy=email.policy.default))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]

    def texts(self) -> list[str]:
        """Subject, plain-text and HTML part of every message, as one string each."""
        out = []
        for m in self.messages:
            parts = [str(m["Subject"])]
            parts += [p.get_content() for p in m.walk() if p.get_content_maintype() == "text"]
            out.append("\n".join(parts))
        return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
