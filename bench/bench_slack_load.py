"""Load run of the Slack bot in HTTP mode on loopback: signed questions from concurrent senders.

Starts the production HTTP server (gunicorn, the Procfile's configuration, bound to 127.0.0.1)
over the given index, with its Web API pointed at the local fake Slack from tests/, then sends
N questions (3 in 4 mentions, 1 in 4 slash commands, signed as Slack signs them) from S
concurrent senders. Reports ack latency (request -> HTTP response), answer latency (request ->
the fake Slack receives the reply), errors, and the server's peak memory; with --runs, the
median of each figure over that many runs, each against a freshly started server.

    .venv/bin/python -m bench.bench_slack_load --index data/index [--runs 3]

Questions are RealTime QA's quiz questions when ../shared/data/realtimeqa is there (they match
the benchmark index), otherwise a built-in list.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fake_slack import RESPONSE_URL_METHOD, FakeSlack  # noqa: E402
from slack_requests import event_request, mention, post, slash_command  # noqa: E402

from bench.stats import machine  # noqa: E402
from bot import messages  # noqa: E402
from bot.server import HTTP_THREADS, HTTP_TIMEOUT_SECONDS, HTTP_WORKERS  # noqa: E402

BUILTIN_QUESTIONS = [
    "how many NK soldiers died?",
    "How many North Korean troops were sent to Russia?",
    "what did the South Korean intelligence service say about casualties?",
    "did North Korea send weapons to Russia?",
    "when did Pyongyang confirm it had deployed troops?",
    "what did the Fed decide on interest rates?",
    "how strong was Hurricane Idalia at landfall?",
    "how many homes lost power in Florida?",
    "what budget did the city council approve for the library?",
    "who is Kim Jong Un meeting this year?",
    "what are the latest inflation figures?",
    "how many people were killed in the earthquake?",
    "source:AFP how many soldiers were wounded?",
    "since:2025-01-01 North Korean troops in Kursk",
    "what did the president say about tariffs?",
    "Сколько северокорейских солдат погибло?",
]
SEQUENTIAL = 5  # questions asked one at a time before the load, for the unloaded latency
ERROR_TEXTS = (messages.ERROR_GENERIC, messages.ERROR_POST_FAILED.split("(")[0])


@dataclass
class Sent:
    kind: str
    key: str  # thread_ts for mentions, response_url name for slash commands
    started: float
    ack_seconds: float = 0.0
    status: int = 0
    error: str = ""


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def process_tree_peak_rss(pid: int) -> tuple[int, int]:
    """(peak RSS of the largest process, sum of peaks) over `pid` and its children, in bytes."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    peaks = []
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) * 1024)
        except FileNotFoundError:
            continue
    return (max(peaks, default=0), sum(peaks))


def start_server(index: Path, fake: FakeSlack, port: int, secret: str, token: str) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NEWSDESK_"))},
        "SLACK_BOT_TOKEN": token,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": fake.api_url,
        "NEWSDESK_INDEX": str(index),
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(HTTP_WORKERS),
        "--threads", str(HTTP_THREADS),
        "--worker-class", "gthread",
        "--timeout", str(HTTP_TIMEOUT_SECONDS),
        "--log-level", "warning",
        "bot.wsgi:create_application()",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=ROOT)


def wait_ready(base: str, server: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The server exited with {server.returncode} before it was ready.")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("The server was not ready in time.")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_questions() -> list[str]:
    try:
        from bench.realtimeqa import questions

        return questions() or BUILTIN_QUESTIONS
    except OSError:
        return BUILTIN_QUESTIONS


def run(args: argparse.Namespace, questions: list[str]) -> dict[str, object]:
    index = Path(args.index)
    if not index.exists():
        raise SystemExit(f"No index at {index}: run `newsdesk index build data/articles` first.")
    secret, token = secrets.token_hex(16), "xoxb-bench-" + secrets.token_hex(12)
    deadline = time.monotonic() + args.time_limit
    with FakeSlack() as fake:
        port = free_port()
        server = start_server(index, fake, port, secret, token)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base, server, deadline)
            return load(args, questions, fake, base + "/slack/events", secret, server.pid, deadline)
        finally:
            server.terminate()
            server.wait(30)


def load(
    args: argparse.Namespace,
    questions: list[str],
    fake: FakeSlack,
    url: str,
    secret: str,
    pid: int,
    deadline: float,
) -> dict[str, object]:
    def send(number: int, mention_only: bool = False) -> Sent:
        question = questions[number % len(questions)]
        if number % 4 == 3 and not mention_only:
            key = f"q{number}"
            request = slash_command(question, fake.response_url(key), secret=secret)
            sent = Sent("slash", key, time.monotonic())
        else:
            event = mention(question, channel="C0BENCH01")
            request = event_request(event, secret=secret)
            sent = Sent("mention", event["ts"], time.monotonic())
        try:
            sent.status, _, sent.ack_seconds = post(url, request, timeout=10)
        except OSError as error:
            sent.error = f"{type(error).__name__}: {error}"
        return sent

    # A few questions one at a time first: the server answers, and the unloaded latency.
    single = []
    for number in range(SEQUENTIAL):
        sent = send(number, mention_only=True)
        answer = fake.wait_for("chat.postMessage", number + 1, timeout=60)[-1]
        single.append(answer.at - sent.started)
    fake.reset()

    started = time.monotonic()
    with ThreadPoolExecutor(args.senders) as senders:
        sent = list(senders.map(send, range(1, args.questions + 1)))
    sending_seconds = time.monotonic() - started

    # Wait for every answer, bounded by the time limit.
    expected = {s.key: s for s in sent if s.status == 200}
    answers: dict[str, float] = {}
    while time.monotonic() < deadline:
        for call in fake.calls_to("chat.postMessage") + fake.calls_to(RESPONSE_URL_METHOD):
            if call.method == "chat.postMessage":
                key = call.params.get("thread_ts")
            else:
                key = call.path.rsplit("/", 1)[-1]
            if key in expected and key not in answers:
                answers[key] = call.at
        if len(answers) >= len(expected):
            break
        time.sleep(0.05)
    total_seconds = time.monotonic() - started

    errors = [s.error or f"HTTP {s.status}" for s in sent if s.status != 200]
    errors += [f"no answer to {k}" for k in expected if k not in answers]
    for call in fake.calls:
        text = str(call.params.get("text", ""))
        if any(text.startswith(e) for e in ERROR_TEXTS):
            errors.append(f"error reply: {text[:80]}")
    acks = [s.ack_seconds for s in sent if s.status == 200]
    answer_latency = [answers[k] - s.started for k, s in expected.items() if k in answers]
    worker_peak, tree_peak = process_tree_peak_rss(pid)
    return {
        "questions": len(sent),
        "senders": args.senders,
        "mentions": sum(s.kind == "mention" for s in sent),
        "slash_commands": sum(s.kind == "slash" for s in sent),
        "ack_p50_ms": round(percentile(acks, 50) * 1000, 1) if acks else None,
        "ack_p99_ms": round(percentile(acks, 99) * 1000, 1) if acks else None,
        "ack_max_ms": round(max(acks) * 1000, 1) if acks else None,
        "answer_p50_ms": round(percentile(answer_latency, 50) * 1000, 1) if answer_latency else None,
        "answer_p99_ms": round(percentile(answer_latency, 99) * 1000, 1) if answer_latency else None,
        "answer_mean_ms": round(statistics.mean(answer_latency) * 1000, 1) if answer_latency else None,
        "answer_alone_ms": round(statistics.median(single) * 1000, 1),
        "throughput_qps": round(len(answer_latency) / total_seconds, 1),
        "sending_seconds": round(sending_seconds, 2),
        "errors": len(errors),
        "error_examples": errors[:5],
        "peak_rss_worker_mb": round(worker_peak / 2**20, 1),
        "peak_rss_server_mb": round(tree_peak / 2**20, 1),
    }


def print_table(result: dict[str, object]) -> None:
    r = result
    rows = [
        ("questions (mentions / slash commands)", f"{result['questions']} ({result['mentions']} / "
         f"{result['slash_commands']}), {result['senders']} concurrent senders"),
        ("ack latency p50 / p99 / max", f"{r['ack_p50_ms']} / {r['ack_p99_ms']} / {r['ack_max_ms']} ms"),
        ("answer latency p50 / p99 under load", f"{r['answer_p50_ms']} / {r['answer_p99_ms']} ms"),
        ("answer latency, one question at a time", f"{r['answer_alone_ms']} ms"),
        ("throughput", f"{result['throughput_qps']} answers/s"),
        ("errors", str(result["errors"])),
        ("peak RSS (worker / server total)", f"{r['peak_rss_worker_mb']} / {r['peak_rss_server_mb']} MB"),
    ]  # fmt: skip
    rows.insert(0, ("runs (median of each figure)", f"{r['runs']} on {r['machine']}"))
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"| {'-' * width} | --- |")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    for example in result["error_examples"]:  # type: ignore[attr-defined]
        print(f"  error: {example}", file=sys.stderr)


def combine(runs: list[dict[str, object]]) -> dict[str, object]:
    """The median of every figure over the runs; errors are added up."""
    combined = dict(runs[-1])
    for key, value in runs[-1].items():
        values = [r[key] for r in runs if isinstance(r[key], (int, float))]
        if isinstance(value, float) and len(values) == len(runs):
            combined[key] = round(statistics.median(values), 1)  # type: ignore[arg-type]
    combined["errors"] = sum(int(r["errors"]) for r in runs)  # type: ignore[call-overload]
    combined["error_examples"] = [e for r in runs for e in r["error_examples"]][:5]  # type: ignore[attr-defined]
    combined["runs"] = len(runs)
    return combined


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default="data/index", help="index folder (default: data/index)")
    parser.add_argument("--questions", type=int, default=200, help="questions to send (default 200)")
    parser.add_argument("--senders", type=int, default=8, help="concurrent senders (default 8)")
    parser.add_argument("--runs", type=int, default=1, help="runs, each with a fresh server (median)")
    parser.add_argument("--time-limit", type=float, default=300, help="give up a run after this many seconds")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    questions = load_questions()
    runs = []
    for number in range(1, args.runs + 1):
        runs.append(run(args, questions))
        print(f"run {number}/{args.runs}: {json.dumps(runs[-1])}", file=sys.stderr)
    result = combine(runs)
    result["machine"] = machine()
    result["index"] = args.index
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
