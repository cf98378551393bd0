"""Knowledge base: accuracy and answer latency, against a BM25 baseline over the same content.

Prints, for the labelled evaluation set (tests/data/kb_eval.yaml) and the separate check set
(bench/data/kb_dev.yaml): top-1 section accuracy, the share answered correctly with confidence,
and the share answered confidently but wrongly; then p50/p99 latency per question with the
built-in entries only and with 20,000 synthetic organisation entries, for the matcher and for a
small hand-written BM25 over the same texts (questions, titles and keywords of every entry).
Run: `python -m bench.kb` (or `make bench`).
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from knowledge.base import KnowledgeBase, OrgKnowledge, default_base
from knowledge.content import Entry
from knowledge.evaluation import Item, evaluate, load_items
from knowledge.records import OrgEntry
from knowledge.text import fold, lexicon

ROOT = Path(__file__).resolve().parent.parent
SETS = {"eval (tests/data/kb_eval.yaml)": ROOT / "tests" / "data" / "kb_eval.yaml",
        "check (bench/data/kb_dev.yaml)": ROOT / "bench" / "data" / "kb_dev.yaml",
        "fresh (bench/data/kb_fresh.yaml)": ROOT / "bench" / "data" / "kb_fresh.yaml"}
ORG_ENTRIES = 20_000
ROUNDS = 3


class BM25:
    """Okapi BM25 (k1 1.5, b 0.75) over plain folded words without stop words; one document per entry."""

    def __init__(self, docs: Sequence[tuple[str, str, str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.keys = [key for key, _, _ in docs]
        self.sections = [section for _, section, _ in docs]
        self.k1, self.b = k1, b
        self.terms: list[Counter[str]] = [Counter(self.words(text)) for _, _, text in docs]
        self.lengths = [sum(c.values()) for c in self.terms]
        self.avg = sum(self.lengths) / max(len(self.lengths), 1)
        self.postings: dict[str, list[int]] = defaultdict(list)
        for number, counts in enumerate(self.terms):
            for term in counts:
                self.postings[term].append(number)
        n = len(docs)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    @staticmethod
    def words(text: str) -> list[str]:
        stop = lexicon().stopwords
        return [w for w in fold(text).split() if w not in stop]

    def best(self, question: str) -> int | None:
        scores: dict[int, float] = defaultdict(float)
        for term in set(self.words(question)):
            for number in self.postings.get(term, ()):
                tf = self.terms[number][term]
                norm = self.k1 * (1 - self.b + self.b * self.lengths[number] / self.avg)
                scores[number] += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
        return max(scores, key=scores.__getitem__) if scores else None


def entry_text(entry: Entry) -> str:
    return " ".join([*entry.variants(), *entry.vocabulary()])


def synthetic_org_entries(count: int, seed: int = 7) -> list[OrgEntry]:
    """Questions an organisation might add about its own affairs: many words, many near-duplicates."""
    rng = random.Random(seed)
    subjects = ["parkeerplaats", "inkoopregister", "budgetcode", "formulier", "intranetpagina", "werkplek",
                "leaseauto", "declaratie", "contactpersoon", "kantoorpand", "vergaderruimte", "factuur",
                "inkooporder", "ondertekening", "mandaat", "archief", "toegangspas", "laptop", "opleiding",
                "afdeling", "leverancierslijst", "contractregister", "telefoonnummer", "spreekuur", "helpdesk"]
    places = ["Den Haag", "Utrecht", "Zwolle", "Arnhem", "Tilburg", "Leeuwarden", "Maastricht", "Almere"]
    shapes = ["Waar vind ik de {s} van team {n} in {p}?", "Wie beheert het {s} voor project {n}?",
              "Hoe vraag ik een {s} aan bij locatie {p} ({n})?", "Where is the {s} of unit {n} in {p}?",
              "Who handles the {s} for programme {n}?", "Wat is de {s} voor regio {p} nummer {n}?"]
    out = []
    for number in range(count):
        text = rng.choice(shapes).format(s=rng.choice(subjects), n=rng.randint(100, 99_999), p=rng.choice(places))
        out.append(OrgEntry(id=number + 1, question=text, answer=f"Zie het intranet, onderwerp {number}.",
                            lang="nl", section=None))
    return out


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]
    return statistics.median(ordered), p99


def timed(fn: Callable[[str], object], questions: list[str]) -> tuple[float, float]:
    samples = []
    for _ in range(ROUNDS):
        for q in questions:
            started = time.perf_counter()
            fn(q)
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def bm25_accuracy(bm25: BM25, items: list[Item]) -> float:
    answerable = [i for i in items if i.section is not None]
    right = 0
    for item in answerable:
        best = bm25.best(item.question)
        right += best is not None and bm25.sections[best] == item.section
    return right / len(answerable)


def main() -> None:
    started = time.perf_counter()
    kb: KnowledgeBase = default_base()
    print(f"built-in index: {len(kb.entries)} entries, {len(kb.index.doc_text)} question variants, "
          f"built in {(time.perf_counter() - started) * 1000:.0f} ms")
    docs = [(e.id, e.section or "", entry_text(e)) for e in kb.entries.values()]
    bm25 = BM25(docs)
    all_items: list[Item] = []
    print("\naccuracy (top-1 section over answerable questions; answered = right with confidence; "
          "wrong = confident but wrong, over all questions)")
    for name, path in SETS.items():
        items = load_items(path)
        all_items += items
        report = evaluate(items, kb.ask)
        print(f"  {name}: {report.items} questions")
        print(f"    matcher: top-1 {report.accuracy:.1%}  answered {report.answered_accuracy:.1%}  "
              f"confidently wrong {report.wrong_rate:.1%}")
        print(f"    BM25   : top-1 {bm25_accuracy(bm25, items):.1%}  (no confidence, so it always answers)")
    questions = [i.question for i in all_items]

    print(f"\nlatency per question ({ROUNDS} rounds over {len(questions)} questions)")
    p50, p99 = timed(lambda q: kb.match(q, "nl"), questions)
    b50, b99 = timed(bm25.best, questions)
    print(f"  built-in only   : matcher p50 {p50:.2f} ms  p99 {p99:.2f} ms | BM25 p50 {b50:.2f} ms  p99 {b99:.2f} ms"
          f" | ratio p50 {p50 / b50:.1f}x")

    records = synthetic_org_entries(ORG_ENTRIES)
    started = time.perf_counter()
    org = OrgKnowledge.build(records)
    build_ms = (time.perf_counter() - started) * 1000
    big_bm25 = BM25(docs + [(f"org:{r.id}", "", r.question) for r in records])
    p50, p99 = timed(lambda q: kb.match(q, "nl", org), questions)
    b50, b99 = timed(big_bm25.best, questions)
    print(f"  + {ORG_ENTRIES:,} org entries: matcher p50 {p50:.2f} ms  p99 {p99:.2f} ms | "
          f"BM25 p50 {b50:.2f} ms  p99 {b99:.2f} ms | ratio p50 {p50 / b50:.1f}x  "
          f"(org index built in {build_ms:.0f} ms)")
    items = load_items(SETS["eval (tests/data/kb_eval.yaml)"])
    report = evaluate(items, lambda q, lang: kb.ask(q, lang, org))
    print(f"  accuracy with them: matcher top-1 {report.accuracy:.1%}  confidently wrong {report.wrong_rate:.1%} | "
          f"BM25 top-1 {bm25_accuracy(big_bm25, items):.1%}")
    own = records[1234]
    found = kb.ask(own.question, "nl", org).entry
    print(f"  an organisation's own question is found among them: {found is not None and found.id == 'org:1235'}")


if __name__ == "__main__":
    main()
