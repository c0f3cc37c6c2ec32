"""A memo of a rule set's evaluation keyed on the questions its rules ask, not on whole facts.

Employers rarely share whole facts (their kinds of record over 60 months alone make tens of
thousands of combinations per 50,000 employers), but a rule set asks a few questions only —
“a case in the window?”, “on the blacklist?”, “an unmet penalty?” — and their answers repeat
endlessly. ``Decisions`` remembers the evaluations of one rule set as a tree of those questions:

- an evaluation that misses the tree is made in full, on a ``Facts``, through a ``Tracer`` that
  records every question the rules asked (a field read or a vocabulary method called, with its
  arguments) and its answer, in order; the path of (question, answer) is added to the tree with
  the evaluation at its end;
- a lookup walks the tree, answering each node's question for the employer straight from the
  fact key (``grading.facts.fact_rows``: two bit masks and a few values; no ``Facts`` built)
  and following the child of that answer; a leaf is the evaluation.

Exact, not a heuristic: rules are pure (STYLE.md, ``rulesets.base.Rule``) and see the employer
only through the facts object, so two employers that give the same answers to the questions
asked in the same order are evaluated alike, question by question — the rules cannot tell
them apart. A question asked twice in one evaluation has the same answer and is kept once. If a
tree ever disagreed with an evaluation (a question not where the tree has it: a rule that is not
pure), the memo is switched off for that rule set and every evaluation is made in full.
``answer`` (a question answered from a fact key) is checked against ``Facts`` itself by
tests/grading/test_decisions.py on random keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from .facts import (
    KIND_BITS,
    KIND_MASK,
    L60_SHIFT,
    LIST_BITS,
    MISC,
    OUTSTANDING_BITS,
    Facts,
    KeyDecoder,
    _as_date,
)
from .rulesets import Evaluation, IncompleteRuleSet, RuleSet

logger = logging.getLogger(__name__)

# Facts fields decoded from the misc mask, in the order of ``KeyDecoder._decode_misc``.
MISC_FIELDS = (
    "listed_in_window",
    "listed_in_l60",
    "violation_severities_in_window",
    "violation_categories_in_window",
    "violation_incident_in_window",
    "outstanding",
    "harmonious_in_force",
)
# Facts methods the tracer records as questions (their answers depend only on the facts).
METHODS = frozenset(
    name
    for name, value in vars(Facts).items()
    if callable(value) and not name.startswith("_") and name not in ("to_json", "from_json")
)
# A tree grown past this many leaves is cleared (bounds memory; the rules are the same).
LEAF_LIMIT = 100_000


class Tracer:
    """Stands for a ``Facts`` while a rule set is evaluated, recording each distinct question
    (``(name, None)`` for a field, ``(name, args)`` for a method call) with its answer."""

    __slots__ = ("_facts", "_trace", "_asked", "_unhashable")

    def __init__(self, facts: Facts):
        self._facts = facts
        self._trace: list[tuple[tuple, object]] = []
        self._asked: set = set()
        self._unhashable = False  # a question with unhashable arguments: not remembered

    def _record(self, question: tuple, answer) -> None:
        try:
            if question in self._asked:
                return
        except TypeError:
            self._unhashable = True
            return
        self._asked.add(question)
        self._trace.append((question, answer))

    def __getattr__(self, name: str):
        value = getattr(self._facts, name)
        if name in METHODS:

            def ask(*args):
                answer = value(*args)
                self._record((name, args), answer)
                return answer

            return ask
        self._record((name, None), value)
        return value


def answerer(question: tuple, decoder: KeyDecoder) -> Callable:
    """A function answering ``question`` from a fact key exactly as the ``Facts`` of that key
    would (``decoder.facts(key)``), mostly with bit operations on the key's masks."""
    name, args = question
    span = decoder.span
    if args is None:
        if name in ("as_of", "window_start", "l60_start"):
            value = getattr(span, name)
            return lambda key: value
        if name == "employer_kind":
            return lambda key: key[0]
        if name == "cases_in_window":
            return lambda key: int(key[1] or 0)
        if name == "cases_in_l60":
            return lambda key: int(key[2] or 0)
        if name == "kinds_in_window":
            kind_set = decoder._kind_set
            return lambda key: kind_set(int(key[3] or 0) & KIND_MASK)[0]
        if name == "kinds_in_l60":
            kind_set = decoder._kind_set
            return lambda key: kind_set(int(key[3] or 0) >> L60_SHIFT)[0]
        if name in MISC_FIELDS:
            index = MISC_FIELDS.index(name)
            decode_misc = decoder._decode_misc
            return lambda key: decode_misc(int(key[4] or 0))[0][index]
        if name == "lost_contact_since":
            return lambda key: _as_date(key[5])
        if name == "latest_public_credit_rating":
            return lambda key: key[6]
        if name == "annual_report_missing_years":
            return lambda key: key[7]
    elif name in ("in_window", "in_l60"):
        bits = 0
        for kind in args:
            bits |= KIND_BITS.get(kind, 0)
        if name == "in_l60":
            bits <<= L60_SHIFT
        return lambda key: (int(key[3] or 0) & bits) != 0
    elif name in ("listed", "listed_l60") and len(args) == 1:
        offset = MISC["listed_w" if name == "listed" else "listed_l60"][0]
        bit = LIST_BITS.get(args[0], 0) << offset
        return lambda key: (int(key[4] or 0) & bit) != 0
    elif name == "is_outstanding" and args:
        kind, *statuses = args
        bits = 0
        for status in statuses:
            bits |= OUTSTANDING_BITS.get(f"{kind}:{status}", 0)
        bits <<= MISC["outstanding"][0]
        return lambda key: (int(key[4] or 0) & bits) != 0
    # Anything else: ask the facts themselves.
    if args is None:
        return lambda key: getattr(decoder.facts(key), name)
    return lambda key: getattr(decoder.facts(key), name)(*args)


class _Node:
    __slots__ = ("question", "answer", "children")

    def __init__(self, question: tuple, answer: Callable):
        self.question = question
        self.answer = answer
        self.children: dict = {}


class Decisions:
    """The evaluations of one rule set for one span, as a tree of questions (module docstring)."""

    def __init__(self, ruleset: RuleSet, decoder: KeyDecoder):
        self.ruleset = ruleset
        self.decoder = decoder
        self.root: _Node | Evaluation | None = None
        self.leaves = 0
        self.enabled = True
        self.evaluations = 0  # made in full (misses)

    def evaluate(self, key) -> Evaluation:
        node = self.root
        while node is not None:
            if type(node) is not _Node:
                return node
            try:
                node = node.children.get(node.answer(key))
            except TypeError:  # an unhashable answer: not remembered
                break
        return self._evaluate(key)

    def _evaluate(self, key) -> Evaluation:
        self.evaluations += 1
        facts = self.decoder.facts(key)
        if not self.enabled:
            return self.ruleset.evaluate(facts)
        tracer = Tracer(facts)
        try:
            evaluation = self.ruleset.evaluate(tracer)  # type: ignore[arg-type]
        except IncompleteRuleSet:  # raised again, naming the facts themselves
            return self.ruleset.evaluate(facts)
        if tracer._unhashable:
            return evaluation
        try:
            self._remember(tracer._trace, evaluation)
        except TypeError:  # an unhashable answer: this evaluation is not remembered
            pass
        return evaluation

    def _remember(self, trace: list, evaluation: Evaluation) -> None:
        if self.leaves >= LEAF_LIMIT:
            self.root, self.leaves = None, 0
        for _question, answer in trace:
            hash(answer)
        if not trace:
            self._agree(self.root is None or self.root == evaluation)
            self.root = evaluation
            return
        parent: _Node | None = None
        answer_of_parent = None
        node = self.root
        for question, answer in trace:
            if node is None:
                node = _Node(question, answerer(question, self.decoder))
                if parent is None:
                    self.root = node
                else:
                    parent.children[answer_of_parent] = node
            elif type(node) is not _Node or node.question != question:
                self._agree(False)
                return
            parent, answer_of_parent = node, answer
            node = node.children.get(answer)
        if node is None:
            parent.children[answer_of_parent] = evaluation
            self.leaves += 1
        else:
            self._agree(node == evaluation)

    def _agree(self, agrees: bool) -> None:
        if not agrees and self.enabled:
            logger.warning(
                "rule set %s %s: an evaluation disagrees with its question tree (a rule that "
                "is not pure?); evaluating every employer in full",
                self.ruleset.code,
                self.ruleset.version,
            )
            self.enabled = False
            self.root = None
