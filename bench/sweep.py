"""Scores ranking variants on one QA file and one index, loading both once: how levers are tuned.

Each variant is a set of Recipe, AnswerPolicy, FigurePolicy or SecondStagePolicy fields
(`dense_weight=0.8,title_weight=0.1`, `newest_margin=-1` for no newest-first, `depth=0` for no
second stage); the first row is the shipped default. Tune on the dev split only.

    .venv/bin/python -m bench.sweep --index DIR QA_FILE 'dense_weight=0.8' 'title_weight=0.1' ...
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

from index.answer_policy import AnswerPolicy
from index.config import Settings
from index.embedder import Embedder
from index.evaluate import evaluate, read_qa
from index.figures import FigurePolicy
from index.ranking import Recipe
from index.search import Searcher
from index.second_stage import SecondStage, SecondStagePolicy


def parse_variant(spec: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """'a=1,b=0.2' into (Recipe, AnswerPolicy, FigurePolicy and SecondStagePolicy changes)."""
    recipe_fields = {f.name: f.type for f in dataclasses.fields(Recipe)}
    policy_fields = {f.name for f in dataclasses.fields(AnswerPolicy)}
    figure_fields = {f.name for f in dataclasses.fields(FigurePolicy)}
    stage_fields = {f.name for f in dataclasses.fields(SecondStagePolicy)}
    recipe: dict[str, Any] = {}
    policy: dict[str, Any] = {}
    figure: dict[str, Any] = {}
    stage: dict[str, Any] = {}
    for part in filter(None, spec.split(",")):
        name, value = part.split("=")
        parsed = json.loads(value) if value not in ("weighted", "rrf") else value
        if name in stage_fields:
            stage[name] = parsed
        elif name in figure_fields:
            figure[name] = parsed
        elif name in policy_fields:
            policy[name] = parsed
        elif name in recipe_fields:
            recipe[name] = parsed
        else:
            raise SystemExit(f"unknown field {name!r}")
    return recipe, policy, figure, stage


def _second_stage(settings: Settings, embedder: Embedder, policy: SecondStagePolicy) -> SecondStage | None:
    """The second stage `newsdesk ask` would use (NEWSDESK_RERANK_MODEL), with `policy`; none at depth 0."""
    loaded = SecondStage.load(settings, embedder)
    if loaded is None or policy.depth == 0:
        return None
    return SecondStage(loaded.encoder, policy, own_model=loaded.own_model)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("qa", type=Path)
    parser.add_argument("variants", nargs="*", help="Recipe/AnswerPolicy fields, comma-separated.")
    parser.add_argument("--index", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings.from_env(index_dir=args.index)
    embedder = Embedder(settings)
    default = Searcher.open(settings, embedder)
    embedder.warm()
    items = read_qa(args.qa)
    print(
        "| variant | P@1 | R@3 | MRR | R@10 | ask P@1 | ask R@3 | ask MRR | unans. refused | ans. refused |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for spec in ["", *args.variants]:
        recipe, policy, figure, stage = parse_variant(spec)
        searcher = Searcher(
            settings,
            embedder,
            default._loaded,
            dataclasses.replace(Recipe(), **recipe),
            dataclasses.replace(AnswerPolicy.for_model(settings.model_path), **policy),
            dataclasses.replace(FigurePolicy(), **figure),
            _second_stage(settings, embedder, dataclasses.replace(SecondStagePolicy(), **stage)),
        )
        r = evaluate(searcher, items)
        print(
            f"| {spec or 'default'} | {r.p_at_1:.3f} | {r.r_at_3:.3f} | {r.mrr:.3f} | {r.r_at_10:.3f} | "
            f"{r.ask_p_at_1:.3f} | {r.ask_r_at_3:.3f} | {r.ask_mrr:.3f} | "
            f"{r.no_answer_accuracy or 0:.1%} | {r.false_refusal_rate or 0:.1%} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
