"""The question-tree memo of rule-set evaluations (grading.decisions) against evaluating every
employer in full, on random fact keys: no database."""

import dataclasses
import datetime as dt
import random

from credit_records.choices import Category, Performance, RecordKind, Rectification, Severity
from employers.choices import EmployerKind
from grading import rulesets
from grading.decisions import METHODS, Decisions, answerer
from grading.facts import (
    CATEGORY_BITS,
    KIND_BITS,
    L60_SHIFT,
    LIST_BITS,
    MISC,
    OUTSTANDING_BITS,
    SEVERITY_BITS,
    Facts,
    KeyDecoder,
)
from grading.rulesets import Rule
from grading.windows import Span

SPAN = Span.for_cycle(2024)
KINDS = list(KIND_BITS)


def _bits(rng, mapping, offset=0, p=0.2):
    mask = 0
    for bit in mapping.values():
        if rng.random() < p:
            mask |= bit << offset
    return mask


def random_key(rng: random.Random):
    """A fact key as ``fact_rows`` yields it (or None where an employer has no records)."""
    if rng.random() < 0.1:
        return (rng.choice(EmployerKind.values), None, None, None, None, None, "", ())
    kinds = _bits(rng, KIND_BITS, p=0.1) | _bits(rng, KIND_BITS, L60_SHIFT, p=0.2)
    misc = (
        _bits(rng, LIST_BITS, MISC["listed_w"][0], p=0.1)
        | _bits(rng, LIST_BITS, MISC["listed_l60"][0], p=0.15)
        | _bits(rng, SEVERITY_BITS, MISC["severities_w"][0])
        | _bits(rng, CATEGORY_BITS, MISC["categories_w"][0], p=0.1)
        | _bits(rng, OUTSTANDING_BITS, MISC["outstanding"][0], p=0.1)
        | (rng.random() < 0.1) << MISC["incident_w"][0]
        | (rng.random() < 0.2) << MISC["harmonious"][0]
    )
    lost = rng.choice(
        [None] * 8 + [dt.date(2023, 12, 31), dt.date(2024, 1, 1), dt.date(2022, 6, 1)]
    )
    rating = rng.choice(["", "", "", "A", "B", "C", "D"])
    years = rng.choice([(), (), (), (2021, 2022, 2023), (2022, 2023), (2019, 2020, 2021)])
    return (rng.choice(EmployerKind.values), rng.choice([0, 0, 1, 2, 3]), rng.choice([0, 1, 2, 4]),
            kinds, misc, lost, rating, years)  # fmt: skip


def questions():
    """Every field of Facts, and every vocabulary method with assorted arguments."""
    out = [(f.name, None) for f in dataclasses.fields(Facts)]
    statuses = [Rectification.NOT_RECTIFIED, Performance.PENDING, Performance.REFUSED, "other"]
    for kind in [*KINDS, "no_such_kind"]:
        out += [("in_window", (kind,)), ("in_l60", (kind,))]
        out += [("listed", (kind,)), ("listed_l60", (kind,))]
        out += [("is_outstanding", (kind, status)) for status in statuses]
        out += [("is_outstanding", (kind, *statuses)), ("is_outstanding", (kind,))]
    out += [("in_window", (RecordKind.OBSTRUCTION, RecordKind.CRIMINAL_LIABILITY)), ("in_l60", ())]
    return out


def test_every_question_is_answered_from_the_key_as_the_facts_answer_it():
    assert {"in_window", "in_l60", "listed", "listed_l60", "is_outstanding"} <= METHODS
    decoder = KeyDecoder(SPAN)
    asked = [(q, answerer(q, decoder)) for q in questions()]
    rng = random.Random(15)
    for _ in range(400):
        key = random_key(rng)
        facts = decoder.facts(key)
        for (name, args), answer in asked:
            expected = getattr(facts, name) if args is None else getattr(facts, name)(*args)
            assert answer(key) == expected, (name, args, key)
            assert type(answer(key)) is type(expected), (name, args, key)


def test_the_memo_gives_every_rule_set_its_full_evaluation():
    decoder = KeyDecoder(SPAN)
    rng = random.Random(2024)
    keys = [random_key(rng) for _ in range(3000)]
    for ruleset in rulesets.REGISTRY.values():
        decisions = Decisions(ruleset, decoder)
        for key in keys + keys[:500]:
            assert decisions.evaluate(key) == ruleset.evaluate(decoder.facts(key)), key
        assert decisions.enabled
        assert decisions.evaluations < len(keys)  # the tree answered the rest


def xiqing_with_rule(number: str, question) -> rulesets.RuleSet:
    """西青's rule set with one more C rule asking ``question``, as version ``number``."""
    base = rulesets.get("xiqing", "2")
    rule = Rule(f"{base.code}.C.{number}", "C", "—", "—", question)
    return dataclasses.replace(base, version=number, rules=(*base.rules, rule))


def test_a_rule_that_is_not_pure_switches_the_memo_off():
    calls = {"n": 0}

    def fickle(f: Facts) -> bool:  # asks a different question every other time
        calls["n"] += 1
        if calls["n"] % 2:
            return f.cases_in_window >= 1
        return f.in_window(RecordKind.VIOLATION)

    ruleset = xiqing_with_rule("99", fickle)
    decoder = KeyDecoder(SPAN)
    decisions = Decisions(ruleset, decoder)
    rng = random.Random(3)
    keys = [random_key(rng) for _ in range(300)]
    for key in keys:
        decisions.evaluate(key)
    assert not decisions.enabled and decisions.root is None
    before = decisions.evaluations
    for key in keys[:50]:  # from now on every evaluation is made in full
        decisions.evaluate(key)
    assert decisions.evaluations == before + 50


def test_severity_and_category_sets_are_remembered_by_value():
    decoder = KeyDecoder(SPAN)
    ruleset = rulesets.get("jiangjin", "2")
    decisions = Decisions(ruleset, decoder)
    offset = MISC["severities_w"][0]
    for severity in Severity.values:
        for category in (Category.CHILD_LABOR, Category.WAGES):
            misc = SEVERITY_BITS[severity] << offset
            misc |= CATEGORY_BITS[category] << MISC["categories_w"][0]
            key = ("enterprise", 1, 1, KIND_BITS["violation"], misc, None, "", ())
            assert decisions.evaluate(key) == ruleset.evaluate(decoder.facts(key))


def test_a_question_with_unhashable_arguments_is_evaluated_in_full_every_time():
    def odd_question(f: Facts) -> bool:
        return f.in_window(RecordKind.VIOLATION) and f.is_outstanding("violation", ["list"])

    ruleset = xiqing_with_rule("98", odd_question)
    decoder = KeyDecoder(SPAN)
    decisions = Decisions(ruleset, decoder)
    rng = random.Random(4)
    keys = [random_key(rng) for _ in range(200)]
    for key in keys:
        assert decisions.evaluate(key) == ruleset.evaluate(decoder.facts(key))
    assert decisions.enabled
