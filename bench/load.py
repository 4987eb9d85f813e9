"""Measures a served assistant: latency and throughput under load, and its memory."""

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Sequence

import aiohttp


@dataclass
class LoadResult:
    senders: int
    latencies_ms: List[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (f"{self.senders:>2} senders: {len(self.latencies_ms)} msgs, "
                f"{self.throughput:6.1f} msg/s, p50 {self.percentile(50):6.1f} ms, "
                f"p95 {self.percentile(95):6.1f} ms, p99 {self.percentile(99):6.1f} ms, "
                f"errors {self.errors}")


def median_summary(results: Sequence[LoadResult]) -> str:
    """Each figure's median over several rounds: one round moves by 10% or more on these
    machines, whose speed changes from minute to minute."""
    def median(figure) -> float:
        return statistics.median(figure(result) for result in results)

    return (f"{results[0].senders:>2} senders, median of {len(results)} rounds: "
            f"{median(lambda r: r.throughput):6.1f} msg/s, "
            f"p50 {median(lambda r: r.percentile(50)):6.1f} ms, "
            f"p95 {median(lambda r: r.percentile(95)):6.1f} ms, "
            f"p99 {median(lambda r: r.percentile(99)):6.1f} ms, "
            f"errors {sum(result.errors for result in results)}")


async def timed_request(request, result: LoadResult) -> None:
    """Sends `request` (an aiohttp request not yet awaited) and records its latency or failure."""
    started = time.perf_counter()
    try:
        async with request as response:
            await response.read()
            ok = response.status == 200
    except aiohttp.ClientError:
        ok = False
    if ok:
        result.latencies_ms.append(1000 * (time.perf_counter() - started))
    else:
        result.errors += 1


async def _sender(session, url, texts, result: LoadResult) -> None:
    sender = str(uuid.uuid4())
    for text in texts:
        await timed_request(session.post(url, json={"sender": sender, "message": text}), result)


async def run_load(url: str, messages: Sequence[str], senders: int, per_sender: int) -> LoadResult:
    """`senders` conversations at once, each sending `per_sender` messages one after another."""
    result = LoadResult(senders)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        plans = [[messages[(s * per_sender + i) % len(messages)] for i in range(per_sender)]
                 for s in range(senders)]
        started = time.perf_counter()
        await asyncio.gather(*(_sender(session, url, plan, result) for plan in plans))
        result.seconds = time.perf_counter() - started
    return result


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process, from /proc (Linux): all of it (VmRSS), or its anonymous
    part (RssAnon) or the part that is pages of files it maps, mostly libraries (RssFile)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory_summary(pid: int) -> str:
    # The file pages (TensorFlow's libraries, mostly) are shared and can be dropped by the
    # kernel under memory pressure; how many are resident differs from run to run.
    return (f"{rss_mb(pid):.0f} MiB (anonymous {rss_mb(pid, 'RssAnon'):.0f}, "
            f"file pages {rss_mb(pid, 'RssFile'):.0f})")
