"""A tiny authoritative DNS server on 127.0.0.1 for tests (dnspython): each name answers from a script
of A records ("" for none), one per query, the last repeated, so a test can play a hostile DNS that answers a public
address when the fetch policy checks a name and loopback when the connection is made (DNS rebinding).
Point the fetch policy at it with `dns_server: 127.0.0.1:<port>`."""

from __future__ import annotations

import socket
import threading
from collections import defaultdict
from contextlib import contextmanager
from typing import Iterator, Mapping, Sequence

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


class DnsServer:
    def __init__(self, script: Mapping[str, Sequence[str]]):
        self.script = {k.lower().rstrip("."): list(v) for k, v in script.items()}
        self.asked: dict[str, list[str]] = defaultdict(list)  # name -> the A answers given, in order
        self.queried: list[str] = []  # every name asked about (any record type, scripted or not), in order
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def answer(self, wire: bytes) -> bytes:
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text().lower().rstrip(".")
        with self._lock:
            self.queried.append(name)
        if name not in self.script:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype == dns.rdatatype.A:
            with self._lock:
                answers = self.script[name]
                ip = answers[min(len(self.asked[name]), len(answers) - 1)]
                self.asked[name].append(ip)
            if ip:  # "" in a script: no address this time
                response.answer.append(dns.rrset.from_text(question.name, 0, "IN", "A", ip))
        return response.to_wire()  # AAAA and others: no records (NOERROR, empty answer)

    def serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = self.sock.recvfrom(4096)
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            try:
                self.sock.sendto(self.answer(wire), peer)
            except Exception:  # noqa: BLE001 - a malformed query is ignored, as a real server would
                continue


@contextmanager
def dns_server(script: Mapping[str, Sequence[str]]) -> Iterator[DnsServer]:
    server = DnsServer(script)
    thread = threading.Thread(target=server.serve, name="test-dns", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server._stop.set()
        thread.join(timeout=2)
        server.sock.close()
