"""`--ray`: the embedding step on a real Ray cluster started here (loopback), against a local build."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.build import add_articles, build_index
from index.config import Settings
from index.errors import RayClusterError
from index.int8_encoder import PARITY_FLOOR
from index.ray_embedding import CPU_TASK_TEXTS, ActorModel, RayPlan, probe_agrees
from index.ray_encoder import _in_chunks
from index.search import Searcher
from index.store import Store
from index.vectors import VectorIndex
from index.versions import DB_NAME, VECTORS_NAME, current_version, read_meta
from tests.conftest import NEWS_ARTICLES, NK_SENTENCE, write_article
from tests.ray_cluster import Cluster, cpu_seconds, free_port, head, ray_environment

REPO = Path(__file__).resolve().parents[1]
NEWSDESK = str(Path(sys.executable).parent / "newsdesk")
QUESTIONS = ["how many NK soldiers died?", "what did the council discuss on street 84?", "library budget"]


def council_articles(count: int, lines: int) -> list[dict[str, Any]]:
    return [
        {
            "title": f"Council meeting {number}",
            "source": "The Courier",
            "date": "2024-01-01",
            "url": f"https://example.com/courier/{number}",
            "text": "\n\n".join(
                f"Item {number}-{line}: the council discussed road repairs on street {line * number + 7}."
                for line in range(lines)
            ),
        }
        for number in range(count)
    ]


# 1,209 prose sentences: three Ray tasks of 512 texts, so blocks from two actors come back in order.
CORPUS = NEWS_ARTICLES + council_articles(40, 30)


@pytest.fixture(scope="module")
def ray_env() -> Iterator[dict[str, str]]:
    """The Ray settings of tests/ray_cluster.py in this process too (builds run their driver here)."""
    saved = {name: os.environ.get(name) for name in ray_environment()}
    os.environ.update(ray_environment())
    yield ray_environment()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def cluster(ray_env: dict[str, str]) -> Iterator[Cluster]:
    with head() as started:
        yield started


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ray-corpus")
    for number, article in enumerate(CORPUS):
        write_article(folder, f"{number:03d}.txt", article)
    return folder


@pytest.fixture(scope="module")
def local_index(corpus: Path, embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(index_dir=tmp_path_factory.mktemp("local") / "index")
    build_index(settings, [corpus], embedder=embedder, quiet=True)
    return settings


def stored(settings: Settings) -> tuple[list[tuple[int, str]], np.ndarray, dict[str, Any]]:
    """(sentence ids and texts, their vectors in id order, build.json) of the served version."""
    version = current_version(settings.index_dir)
    assert version is not None
    meta = read_meta(version)
    store = Store.open_read_only(version / DB_NAME)
    rows = [(int(i), str(t)) for i, t in store.db.execute("SELECT id, text FROM sentences ORDER BY id")]
    prose = "SELECT id FROM sentences WHERE kind = 'text' ORDER BY id"
    answerable = [int(i) for (i,) in store.db.execute(prose)]
    store.close()
    vectors = VectorIndex.load(version / VECTORS_NAME, _spec(meta)).reconstruct(answerable)
    return rows, vectors, meta


def _spec(meta: dict[str, Any]) -> Any:
    from index.vectors import IndexSpec

    return IndexSpec(**meta["index"])


def assert_same_index(ray_built: Settings, local: Settings, embedder: Any, *, int8: bool = False) -> None:
    rows, vectors, meta = stored(ray_built)
    local_rows, local_vectors, local_meta = stored(local)
    assert rows == local_rows
    assert vectors.shape == local_vectors.shape
    assert len(vectors) > 2 * CPU_TASK_TEXTS  # Ray Data blocks from both actors, put back in order
    if int8:
        # Dynamic int8 scales each batch's activations by the batch's own range, so a sentence's
        # vector moves a little with the sentences it is batched with (index/int8_encoder.py);
        # Ray's batches are not the local build's. Each row stays as close as int8 is to torch.
        cosines = np.sum(vectors * local_vectors, axis=1) / (
            np.linalg.norm(vectors, axis=1) * np.linalg.norm(local_vectors, axis=1)
        )
        assert float(cosines.min()) >= PARITY_FLOOR
    else:
        # Stored as half precision: a coordinate differs by at most a rounding step of fp16.
        assert float(np.abs(vectors - local_vectors).max()) < 1e-3
    assert meta["model"] == local_meta["model"] and meta["dimension"] == local_meta["dimension"]
    for question in QUESTIONS:
        ours = Searcher.open(ray_built, embedder).search(question)
        theirs = Searcher.open(local, embedder).search(question)
        assert [hit.text for hit in ours.results] == [hit.text for hit in theirs.results]


def test_a_build_on_ray_answers_exactly_as_a_local_one(run, cluster, corpus, local_index, embedder, tmp_path):
    index_dir = tmp_path / "index"
    result = run("index", "build", str(corpus), "--index", str(index_dir), "--ray", cluster.address)
    assert result.exit_code == 0, result.output
    assert f"Embedding on the Ray cluster at {cluster.address}: 2 actors of one CPU each" in result.stderr
    settings = Settings(index_dir=index_dir)
    assert_same_index(settings, local_index, embedder)
    # Vectors from Ray and from this machine mix: a local add to the Ray-built index is allowed.
    more = tmp_path / "more"
    write_article(more, "late.txt", {"title": "Late news", "text": "The mayor resigned on Friday evening."})
    report = add_articles(settings, [more], embedder=embedder, quiet=True)
    assert report.sentences_embedded == 1
    answer = Searcher.open(settings, embedder).search("did the mayor resign?")
    assert answer.results[0].text == "The mayor resigned on Friday evening."


def test_a_build_on_ray_with_the_int8_encoder_answers_as_a_local_int8_build(
    run, cluster, corpus, embedder, tmp_path
):
    int8 = {"NEWSDESK_BUILD_ENCODER": "onnx-int8"}
    local, on_ray = tmp_path / "local", tmp_path / "ray"
    built = run("index", "build", str(corpus), "--index", str(local), "-q", env=int8)
    assert built.exit_code == 0, built.output
    result = run("index", "build", str(corpus), "--index", str(on_ray), "--ray", cluster.address, env=int8)
    assert result.exit_code == 0, result.output
    assert f"Embedding on the Ray cluster at {cluster.address}: 2 actors of one CPU each" in result.stderr
    assert_same_index(Settings(index_dir=on_ray), Settings(index_dir=local), embedder, int8=True)
    assert stored(Settings(index_dir=on_ray))[2]["encoder"] == "onnx-int8/1"
    # The index's encoder is int8, so a later `--ray` add follows it with no setting at all.
    more = tmp_path / "more"
    write_article(more, "late.txt", {"title": "Late news", "text": "The mayor resigned on Friday evening."})
    added = run("index", "add", str(more), "--index", str(on_ray), "--ray", cluster.address, env=UNSET)
    assert added.exit_code == 0, added.output
    answer = Searcher.open(Settings(index_dir=on_ray), embedder).search("did the mayor resign?")
    assert answer.results[0].text == "The mayor resigned on Friday evening."


UNSET = {"NEWSDESK_BUILD_ENCODER": ""}


def test_a_ray_worker_killed_mid_build_is_replaced_and_the_index_is_the_same(
    cluster, corpus, local_index, embedder, tmp_path
):
    index_dir = tmp_path / "index"
    build = subprocess.Popen(
        [NEWSDESK, "index", "build", str(corpus), "--index", str(index_dir), "--ray", cluster.address, "-q"],
        cwd=REPO,
        env={**os.environ, "NEWSDESK_QUERY_ENCODER": "torch"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: set[int] = set()
    killed = None
    deadline = time.monotonic() + 240
    while build.poll() is None and time.monotonic() < deadline:
        workers = cluster.pids("MapWorker(MapBatches(EmbedBatches))")
        seen.update(workers)
        # Loading torch and the model costs a worker about 3 s of CPU; past 5 s it is encoding a task.
        busy = [pid for pid in workers if cpu_seconds(pid) > 5.0]
        if killed is None and busy:
            killed = busy[0]
            os.kill(killed, 9)
        time.sleep(0.2)
    out, err = build.communicate(timeout=120)
    assert killed is not None, "no worker was seen encoding"
    assert build.returncode == 0, err
    assert len(seen) >= 3, f"Ray started no worker in place of the killed one: {seen}"
    assert_same_index(Settings(index_dir=index_dir), local_index, embedder)


def test_a_cluster_lost_mid_build_fails_in_one_line_and_keeps_the_served_index(
    ray_env, make_index, embedder, tmp_path
):
    settings = make_index()
    served = current_version(settings.index_dir)
    more = tmp_path / "more"
    for number, article in enumerate(council_articles(40, 30)):
        write_article(more, f"{number:03d}.txt", article)
    with head() as doomed:
        command = [NEWSDESK, "index", "build", str(more), "--index", str(settings.index_dir), "-q"]
        # Ray ends a driver that cannot reach its cluster after this many seconds (60 by default).
        env = {**os.environ, "RAY_gcs_rpc_server_reconnect_timeout_s": "5", "NEWSDESK_QUERY_ENCODER": "torch"}
        build = subprocess.Popen(
            [*command, "--ray", doomed.address],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 180
        while build.poll() is None and time.monotonic() < deadline:
            if doomed.pids("MapWorker"):  # the embedding step has begun
                break
            time.sleep(0.2)
        assert build.poll() is None, build.communicate()
        doomed.kill()
        _, err = build.communicate(timeout=180)
    assert build.returncode == 1
    lines = err.splitlines()
    assert len(lines) == 1, err
    lost = f"Error: Lost the Ray cluster at {doomed.address} while embedding (Ray's log: "
    assert lines[0].startswith(lost)
    log = Path(lines[0][len(lost) :].split(")", 1)[0])
    assert "Failed to connect to GCS" in log.read_text()  # Ray's own account, kept for the user
    log.unlink()
    assert lines[0].endswith(
        "). The index being served is unchanged; check the cluster (`ray status`) and run the command again."
    )
    assert current_version(settings.index_dir) == served
    assert [p.name for p in (settings.index_dir / "versions").iterdir()] == [served.name]
    answer = Searcher.open(settings, embedder).search("how many NK soldiers died?")
    assert answer.results[0].text == NK_SENTENCE


def test_an_address_with_no_cluster_is_one_line_and_reads_nothing(run, make_index):
    settings = make_index()
    served = current_version(settings.index_dir)
    address = f"127.0.0.1:{free_port()}"
    result = run("index", "add", "nowhere/", "--index", str(settings.index_dir), "--ray", address)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: No Ray cluster answers at {address} (Connection refused): start one there with "
        "`ray start --head`, or give its address. The index being served is unchanged.\n"
    )
    assert current_version(settings.index_dir) == served


def test_without_ray_installed_the_ray_option_says_what_to_install(run, make_index, monkeypatch):
    settings = make_index()
    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    result = run("index", "build", "anything/", "--index", str(settings.index_dir), "--ray")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --ray needs Ray, which this install lacks: run `pip install 'newsdesk[ray]'`.\n"
    )


def test_newsdesk_imports_no_ray_until_a_build_asks_for_it():
    code = "import sys, index.cli, index.build, index.ray_encoder, bot.cli; print('ray' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_plan_takes_one_actor_per_gpu_else_one_per_cpu():
    assert RayPlan.for_resources({"CPU": 64.0}, 64) == RayPlan(64, 1, 0, 512, 64)
    assert RayPlan.for_resources({"CPU": 16.0, "GPU": 2.0}, 64) == RayPlan(2, 1, 1, 4096, 256)
    assert RayPlan.for_resources({}, 32).actors == 1
    # The int8 model runs on CPUs: a GPU cluster still gets one actor per CPU for it.
    assert RayPlan.for_resources({"CPU": 16.0, "GPU": 2.0}, 64, gpus=False) == RayPlan(16, 1, 0, 512, 64)


def test_an_actor_s_probe_must_match_this_machine_s():
    probe = np.zeros(4, dtype=np.float32)
    probe[0] = 1.0
    near = np.array([0.9995, 0.0316, 0.0, 0.0], dtype=np.float32)  # cosine 0.9995
    torch_model = ActorModel(None, probe)
    int8_model = ActorModel(None, probe, {"model.onnx": b""})
    assert probe_agrees(probe.copy(), torch_model) and probe_agrees(probe.copy(), int8_model)
    # int8 kernels differ between CPU generations: a near vector is the same model there, not for torch.
    assert probe_agrees(near, int8_model) and not probe_agrees(near, torch_model)
    other = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)
    assert not probe_agrees(other, int8_model) and not probe_agrees(other, torch_model)
    assert not probe_agrees(np.ones(3, dtype=np.float32), int8_model)


def test_blocks_are_regrouped_into_chunks_and_a_block_out_of_place_is_refused():
    vectors = np.arange(10, dtype=np.float32).reshape(5, 2)
    blocks = iter([(np.arange(0, 2), vectors[:2]), (np.arange(2, 5), vectors[2:])])
    chunks = list(_in_chunks(blocks, total=5, size=4))
    assert [c.shape for c in chunks] == [(4, 2), (1, 2)]
    assert np.array_equal(np.vstack(chunks), vectors)
    swapped = iter([(np.arange(2, 5), vectors[2:]), (np.arange(0, 2), vectors[:2])])
    with pytest.raises(RayClusterError, match="out of order"):
        list(_in_chunks(swapped, total=5, size=4))
    short = iter([(np.arange(0, 2), vectors[:2])])
    with pytest.raises(RayClusterError, match="2 vectors for 5 texts"):
        list(_in_chunks(short, total=5, size=4))
