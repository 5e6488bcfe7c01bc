"""Case normalisation: a checked :class:`~graph.model.case.Case` to findings, drugs, agents and contexts.

Every input the tool cannot map is reported back in ``unrecognized`` with its field and the
reason; nothing is dropped silently.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.model.case import parse_case
>>> kb = load_knowledge_base()
>>> case = parse_case({"id": "x", "anc": 400, "findings": ["Fever", "HP:9999999"],
...                    "medications": [{"name": "Tapazole", "started_days_ago": 40}]})
>>> n = normalise_case(kb, case)
>>> [kb.label(d.agent) for d in n.drugs], n.severity.grade
(['methimazole'], 'severe')
>>> [(u.field, u.text) for u in n.unrecognized]
[('findings', 'HP:9999999')]
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from dataclasses import replace

from ..kb.knowledge import KnowledgeBase
from ..model.case import Case, Medication, TestResult
from ..model.errors import CaseError
from ..model.ids import expand
from ..model.results import (
    AgentHit,
    ContextHit,
    DrugExposure,
    NoBearing,
    NormalisedCase,
    Observation,
    OtherDrug,
    Unrecognized,
)
from ..model.text import Spotted, is_negative_result, normalise, singular_form, states_nothing_found
from .labs import lab_observations
from .resolve import DrugMatch, read_result, resolve_any_test, resolve_drug, resolve_known
from .timeline import assess_severity, timeline_observations

__all__ = ["normalise_case", "stating_neutropenia"]

RECENT_CHEMOTHERAPY = expand("find:recent-myelosuppressive-chemotherapy")
FEVER = expand("HP:0001945")
#: the HPO branch a finding written in free text may name (not a modifier, onset or mode of inheritance)
PHENOTYPIC_ABNORMALITY = expand("HP:0000118")
#: a single word spotted inside a finding's text names an HPO term only from this length ("Pallor", not "Pain")
_SHORTEST_LONE_WORD = 6


def _fever(kb: KnowledgeBase, case: Case) -> tuple[Observation | None, bool]:
    """Fever read from the case's temperatures, and whether it outranks what the findings state.

    The highest temperature at or above ``fever_threshold_c`` is fever (it outranks a finding that
    says otherwise); below it fever is absent unless a finding states it.  A finding that calls a
    temperature fever ("fever of 37.9 C") states fever.
    """
    if not case.temperatures:
        return None, False
    threshold = kb.param("fever_threshold_c")
    highest = max(case.temperatures, key=lambda t: (t.celsius, t.origin))
    called = next((t for t in case.temperatures if t.states_fever), None)
    if highest.celsius >= threshold:
        return Observation(FEVER, True, f"{highest.origin}: {highest.celsius:.1f} C is at least {threshold:g} C"), True
    if called is not None:
        return Observation(FEVER, True, called.origin), False
    return Observation(FEVER, False, f"{highest.origin}: {highest.celsius:.1f} C is below {threshold:g} C"), False


def stating_neutropenia(kb: KnowledgeBase, observations: list[Observation]) -> tuple[str | None, str | None]:
    """The first stated finding, present, that says the patient is neutropenic, and the first such finding absent.

    A finding says so when it or an ancestor carries ``nkg:statesNeutropenia`` and it is not about
    relatives or a constitutional trait (a family history of neutropenia says nothing of the patient).
    """
    present = absent = None
    for observation in observations:
        if observation.derived or not observation.origin.startswith(("findings", "absent_findings")):
            continue
        info = kb.findings.get(observation.finding)
        if info is not None and (info.trait or info.family_history):
            continue
        if not kb.states_neutropenia(observation.finding):
            continue
        if observation.present:
            present = present or observation.finding
        else:
            absent = absent or observation.finding
    return present, absent


def _check_count_or_statement(kb: KnowledgeBase, case: Case, observations: list[Observation]) -> str | None:
    """Without a count, the finding that states the neutropenia; a case that states none is refused."""
    if case.anc is not None:
        return None
    present, absent = stating_neutropenia(kb, observations)
    if absent is not None and present is None:
        raise CaseError(
            f"neutropenia is excluded ({kb.label(absent)} is among the absent findings) and no neutrophil count "
            "is given: this tool ranks causes of neutropenia; give the ANC if it is low"
        )
    if present is None:
        raise CaseError(
            "'anc' is missing and no finding states the neutropenia; give the absolute neutrophil count "
            "(cells/uL) or a finding such as Neutropenia (HP:0001875), Agranulocytosis (HP:0012234) or Leukopenia"
        )
    return present


#: knowledge base -> its negated names, built once per knowledge base (dropped with it)
_NEGATED: weakref.WeakKeyDictionary[KnowledgeBase, dict[str, str]] = weakref.WeakKeyDictionary()


_FAMILY_NEUTROPENIA: weakref.WeakKeyDictionary[KnowledgeBase, str] = weakref.WeakKeyDictionary()


def _family_neutropenia(kb: KnowledgeBase) -> str:
    """The family-history finding of neutropenia (a family-history finding under the premise), or "";
    looked up once per knowledge base."""
    found = _FAMILY_NEUTROPENIA.get(kb)
    if found is None:
        under = (f for f, i in sorted(kb.findings.items()) if i.family_history)
        found = next((f for f in under if kb.premise_finding in kb.hpo.ancestors(f)), "")
        _FAMILY_NEUTROPENIA[kb] = found
    return found


def _negated_names(kb: KnowledgeBase) -> dict[str, str]:
    """Words that state a finding absent ("afebrile") -> the finding."""
    names = _NEGATED.get(kb)
    if names is None:
        names = {normalise(name): node for node, info in sorted(kb.findings.items()) for name in info.negated_labels}
        _NEGATED[kb] = names
    return names


def _findings(
    kb: KnowledgeBase,
    texts: tuple[str, ...],
    present: bool,
    field: str,
    observations: list[Observation],
    unrecognized: list[Unrecognized],
    free: _FreeText,
) -> None:
    negated = _negated_names(kb)
    for text in texts:
        term = kb.hpo.resolve(text)
        if term is None and normalise(text) in negated:  # "afebrile": the finding absent
            observations.append(Observation(negated[normalise(text)], not present, f"{field}: '{text}'"))
            continue
        if term is None and not text.upper().startswith("HP:"):
            spotted = _findings_in(kb, text)
            for spot, node in spotted:
                # "no night sweats" among the findings is an absent finding; a negation in
                # absent_findings does not make the finding present again
                observations.append(Observation(node, present and not spot.negated, f"{field}: '{text}'"))
            if spotted:
                continue
            if kb.concept_index.spot(text):  # a diagnosis or exposure written as a finding ("URTI symptoms")
                free.read(field, text, negative=not present)
                continue
            if states_nothing_found(text, kb.nothing_found_phrases):  # "asymptomatic", "otherwise well"
                free.no_bearing.append(NoBearing(field, text, "states that nothing of note was found"))
                continue
            if present and _finding_as_test(kb, text, field, observations, free):  # "ANC 200/uL", "CRP 150 mg/L"
                continue
        if term is None:
            reason = (
                "not a current term of HPO " + kb.hpo.version
                if text.upper().startswith("HP:")
                else "not an HPO label or exact synonym"
            )
            unrecognized.append(Unrecognized(field, text, reason))
            continue
        observations.append(Observation(term, present, f"{field}: '{text}'"))


#: a finding that is a test and its value: "ANC 200/uL", "CRP of 150 mg/L", "WBC: 1.2"
_TEST_AND_VALUE = re.compile(
    r"^\s*(?P<name>[A-Za-z][^:=<>]*?)(?:\s*[:=]\s*|\s+(?:of\s+|was\s+|is\s+)?)(?P<value>[<>]?\s*\d[\d.,]*(?![\w]).*)$"
)


def _finding_as_test(
    kb: KnowledgeBase, text: str, field: str, observations: list[Observation], free: _FreeText
) -> bool:
    """Read a finding written as a test and its value by that test's rules, as the same words under
    ``tests`` would be (a test without a rule for it bears on nothing); whether ``text`` is one."""
    match = _TEST_AND_VALUE.match(text[:300])
    if match is None:
        return False
    nodes, known = resolve_any_test(kb, match["name"])
    if not nodes and known is None:
        return False
    fired = [rule for node in nodes for rule in read_result(kb, node, match["value"], match["name"])]
    for finding, present, _organism in fired:
        if finding:
            observations.append(Observation(finding, present, f"{field}: '{text}'"))
    if not fired:
        free.no_bearing.append(
            NoBearing(field, text, "a test result written as a finding; no rule of the test reads it")
        )
    return True


def _findings_named(kb: KnowledgeBase, text: str) -> list[tuple[Spotted, str]]:
    """The findings a phrase names through the lexicon ("swollen glands in the neck", "no night
    sweats"), with the spot that found each (for its negation)."""
    found: list[tuple[Spotted, str]] = []
    for spot in kb.concept_index.spot(text):
        for node in spot.ids:
            if node in kb.graph and kb.graph.nodes[node].get("kind") == "Finding":
                found.append((spot, node))
    return found


def _findings_in(kb: KnowledgeBase, text: str) -> list[tuple[Spotted, str]]:
    """The findings a phrase names: through the lexicon, else as HPO terms inside it; failing both,
    the same in its singular form ("recurrent oral ulcers" names Recurrent oral ulcer)."""
    found = _findings_named(kb, text) or _hpo_terms_inside(kb, text)
    singular = singular_form(text)
    if found or singular == normalise(text):
        return found
    term = kb.hpo.resolve(singular)
    if term is not None:
        return [(Spotted(singular, (term,), False), term)]
    return _findings_named(kb, singular) or _hpo_terms_inside(kb, singular)


def _hpo_terms_inside(kb: KnowledgeBase, text: str) -> list[tuple[Spotted, str]]:
    """HPO phenotype terms named inside a finding's text by their label or exact synonym ("progressive
    pallor", "marked hepatomegaly on examination"): a phrase of two words or more, or one long word."""
    found: list[tuple[Spotted, str]] = []
    for spot in kb.hpo.spotter().spot(text):
        if " " not in spot.phrase and len(spot.phrase) < _SHORTEST_LONE_WORD:
            continue
        for node in spot.ids:
            if node != PHENOTYPIC_ABNORMALITY and PHENOTYPIC_ABNORMALITY in kb.hpo.ancestors(node):
                found.append((spot, node))
    return found


#: what a field's free text may name (other fields: anything): a test result yields findings and
#: organisms (a "vitamin B12" level is not a drug), a medication an exposure or a drug.
_KINDS_READ = {"tests": ("Finding", "Organism", "Gene"), "medications": ("Exposure", "Drug")}


class _FreeText:
    """Collects what free-text items (conditions, exposures, family history) name."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.observations: list[Observation] = []
        self.contexts: list[ContextHit] = []
        self.known_causes: list[ContextHit] = []
        self.agents: list[AgentHit] = []
        self.drugs: list[DrugExposure] = []
        self.unrecognized: list[Unrecognized] = []
        self.no_bearing: list[NoBearing] = []

    def symbol_as_written(self, gene: str, text: str) -> bool:
        """Gene symbols count only as written (case-sensitive): 'WAS' the gene, not 'was' the verb."""
        info = self.kb.agents[gene].info
        return any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) for name in (info.label, *info.synonyms))

    def read(
        self, field: str, text: str, days_ago: float | None = None, negative: bool = False, shown: str = ""
    ) -> None:
        """Record what ``text`` names. A family history yields only findings about relatives
        (neutropenia in the family, consanguinity): a relative's disease is not the patient's.
        Test results and medications are read only for the kinds in ``_KINDS_READ``. ``shown`` is the
        whole item, when ``text`` is the part of it that is read (the result of a known test)."""
        spotted = self.kb.concept_index.spot(text)
        origin = f"{field}: '{shown or text}'"
        if not spotted and field == "conditions" and self._condition_as_finding(text, origin):
            return
        used = False
        past = past_episode(self.kb, text, spotted)
        for spot in spotted:
            for node in spot.ids:
                kind = self.kb.kinds.get(node)
                if past and (node in self.kb.acute_episodes or kind == "Organism"):
                    continue
                if kind in _KINDS_READ.get(field, (kind,)):
                    used = self._take(node, kind, field, text, origin, days_ago, spot.negated or negative) or used
        if past:
            self.no_bearing.append(
                NoBearing(field, text, f"a past episode ({past}), which says nothing of the present illness")
            )
        else:
            self._note_unused(field, text, spotted, used)

    def _condition_as_finding(self, text: str, origin: str) -> bool:
        """A condition that the concepts do not name but HPO phenotype terms do, as a whole or inside it,
        as for a finding ("Bipolar affective disorder", "open tibial fracture"): the patient has it, so
        it is read as a present finding, as the same words among the findings would be."""
        term = self.kb.hpo.resolve(text)
        if term is not None and PHENOTYPIC_ABNORMALITY in self.kb.hpo.ancestors(term):
            found = [(term, False)]
        else:  # "no history of diabetes": the finding absent
            found = [(node, spot.negated) for spot, node in _findings_in(self.kb, text)]
        for node, negated in found:
            self.observations.append(Observation(node, not negated, origin))
        return bool(found)

    def _take(
        self, node: str, kind: str | None, field: str, text: str, origin: str, days_ago: float | None, negated: bool
    ) -> bool:
        """Record ``node`` of ``kind`` that ``text`` names; whether it was used."""
        about_relatives = field == "family_history"
        if about_relatives and not negated and (relative := self._relative_neutropenia(node, kind)):
            node, kind = relative, "Finding"  # "mother with congenital neutropenia"
        if kind == "Finding":
            info = self.kb.findings.get(node)
            if about_relatives and not (info and info.family_history):
                return False
            self.observations.append(Observation(node, not negated, origin))
        elif negated or about_relatives:
            return False
        elif kind == "Cause":
            self.known_causes.append(ContextHit(node, origin))
        elif kind in ("Condition", "Exposure"):
            self.contexts.append(ContextHit(node, origin, days_ago))
        elif kind == "Drug":
            self.drugs.append(DrugExposure(node, text, "named in " + field, last_dose_days_ago=days_ago))
        elif kind == "Organism" or (kind == "Gene" and self.symbol_as_written(node, text)):
            self.agents.append(gene_hit(self.kb, node, origin, text) if kind == "Gene" else AgentHit(node, origin))
        else:
            return False
        return True

    def _relative_neutropenia(self, node: str, kind: str | None) -> str:
        """The family-history finding of neutropenia when a relative is said to have ``node``: a finding that
        states neutropenia ("agranulocytosis") or a congenital neutropenia ("congenital neutropenia"), else ""."""
        kb = self.kb
        stated = kind == "Finding" and kb.states_neutropenia(node)
        congenital = kind == "Cause" and kb.causes[node].category == kb.congenital_category
        return _family_neutropenia(kb) if stated or congenital else ""

    def _relatives_denied(self, text: str) -> bool:
        """Record the family-history findings ``text`` denies in one word ("nonconsanguineous parents"):
        the findings' negated labels, inside the text; whether it denied any."""
        words = f" {normalise(text)} "
        denied = sorted(
            {node for name, node in _negated_names(self.kb).items() if f" {name} " in words}
            & {node for node, info in self.kb.findings.items() if info.family_history}
        )
        for node in denied:
            self.observations.append(Observation(node, False, f"family_history: '{text}'"))
        return bool(denied)

    def _about_relatives(self, text: str) -> str | None:
        """Why a family-history item that names no concept still bears on nothing: it names a
        relative's test ("mother's neutrophil count normal"), an HPO phenotype in a relative or an
        ancestry; None when it names none of these."""
        if any(resolve_any_test(self.kb, text)):
            return "a relative's test result; only neutropenia stated in relatives is read"
        if _findings_in(self.kb, text):
            return "a finding in a relative; only neutropenia in relatives and consanguinity are read"
        if self.kb.ancestry_index.spot(text):
            return "an ancestry; give the patient's as patient.ancestry"
        return None

    def _note_unused(self, field: str, text: str, spotted: list[Spotted], used: bool) -> None:
        """Say why ``text`` yielded nothing, if it did not: it names nothing, or nothing read here."""
        about_relatives = field == "family_history"
        if not spotted and about_relatives and states_nothing_found(text, self.kb.nothing_found_phrases):
            self.no_bearing.append(NoBearing(field, text, "states that nothing of note was found"))
        elif not spotted and about_relatives and self._relatives_denied(text):
            pass
        elif not spotted and about_relatives and (reason := self._about_relatives(text)) is not None:
            self.no_bearing.append(NoBearing(field, text, reason))
        elif not spotted:
            self.unrecognized.append(Unrecognized(field, text, "names nothing in the ontology"))
        elif about_relatives and not used:
            self.no_bearing.append(
                NoBearing(field, text, "only neutropenia in relatives and consanguinity are read from a family history")
            )
        elif not used:  # "no tick bite" among the absent findings, a condition named in a test result
            named = ", ".join(dict.fromkeys(self.kb.label(node) for spot in spotted for node in spot.ids))
            self.no_bearing.append(NoBearing(field, text, f"names {named}, which bears on no cause as written here"))


def past_episode(kb: KnowledgeBase, text: str, spotted: list[Spotted]) -> str:
    """The acute episode ``text`` puts in the past ("previous Pseudomonas pneumonia"), or "" when it does not:
    it names an ``nkg:acuteEpisode`` and a word of ``nkg:PastEpisode``.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> def said(text):
    ...     return past_episode(kb, text, kb.concept_index.spot(text))
    >>> said("previous severe Pseudomonas pneumonia requiring ICU"), said("pneumonia")
    ('Pneumonia', '')
    """
    acute = [node for spot in spotted for node in spot.ids if node in kb.acute_episodes]
    if not acute or not _uses_word(text, kb.past_episode_words):
        return ""
    return kb.label(acute[0])


def current_infection(kb: KnowledgeBase, text: str) -> bool:
    """Whether a test written as ``text`` looks for the agent itself or for the antibody of a recent
    infection (a word of ``nkg:CurrentInfection``: PCR, antigen, IgM) and uses no word of a past one
    (``nkg:PastInfection``: IgG).

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> current_infection(kb, "influenza A PCR: positive"), current_infection(kb, "CMV IgG: positive")
    (True, False)
    >>> current_infection(kb, "parvovirus IgM and IgG: both positive"), current_infection(kb, "EBV test: positive")
    (False, False)
    """
    current = _uses_word(text, kb.current_infection_words, hyphen_after=True)  # "IgM-positive"
    return current and not _uses_word(text, kb.past_infection_words, hyphen_after=True)


def _word_pattern(word: str, hyphen_after: bool = False) -> str:
    """A regular expression for ``word`` as a whole word: not inside a longer or hyphenated word, or, with
    ``hyphen_after``, allowed before a hyphen ("PCR-positive")."""
    return rf"(?<![\w-]){re.escape(word)}(?![\w{'' if hyphen_after else '-'}])"


def _uses_word(text: str, words: Iterable[str], hyphen_after: bool = False) -> bool:
    """Whether ``text`` uses one of ``words`` as a whole word (case-insensitive)."""
    return any(re.search(_word_pattern(word, hyphen_after), text, re.IGNORECASE) for word in words)


def variant_origin(kb: KnowledgeBase, text: str) -> str | None:
    """Where ``text`` says a gene variant arose: "germline" or "somatic" (words of one kind only), else None.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> variant_origin(kb, "somatic UBA1 p.Met41Thr, VAF 60%"), variant_origin(kb, "ELANE variant")
    ('somatic', None)
    """
    return _said_kind(kb.variant_origin_words, text)


def zygosity(kb: KnowledgeBase, text: str) -> str | None:
    """In how many copies of the gene ``text`` says a variant is: "monoallelic", "biallelic" or
    "hemizygous" (the longest words win: "compound heterozygous" is biallelic), else None.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> zygosity(kb, "compound heterozygous HAX1 variants"), zygosity(kb, "heterozygous c.1A>G in HAX1")
    ('biallelic', 'monoallelic')
    """
    return _said_kind(kb.zygosity_words, text)


def gene_hit(kb: KnowledgeBase, gene: str, origin: str, text: str, finding: str | None = None) -> AgentHit:
    """A gene that ``text`` reports a variant in, with where the variant arose and in how many copies, as
    the text says them (``finding``: the variant finding the same result states, see :class:`AgentHit`).

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> hit = gene_hit(kb, "gene:HAX1", "tests: 'exome'", "homozygous HAX1 c.430dupG")
    >>> hit.variant_origin, hit.zygosity
    ('germline', 'biallelic')
    """
    return AgentHit(gene, origin, variant_origin(kb, text), finding, zygosity(kb, text))


def _said_kind(words: tuple[tuple[str, str], ...], text: str) -> str | None:
    """The one kind whose words ``text`` uses, a word inside a longer one that matched not counting; None
    when it uses none, or words of two kinds."""
    spans = [
        (m.start(), m.end(), kind)
        for word, kind in words
        for m in re.finditer(_word_pattern(word), text, re.IGNORECASE)
    ]
    said = {
        kind
        for start, end, kind in spans
        if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans)
    }
    return said.pop() if len(said) == 1 else None


def _compound_heterozygous(agents: list[AgentHit]) -> list[AgentHit]:
    """Two different results that each report one variant in the same gene read as compound
    heterozygous: both hits become biallelic (the phase is not known; a report of two variants means it)."""
    results: dict[str, set[str]] = {}
    for hit in agents:
        if hit.zygosity == "monoallelic":
            results.setdefault(hit.agent, set()).add(hit.origin)
    paired = {gene for gene, origins in results.items() if len(origins) > 1}
    return [replace(hit, zygosity="biallelic") if hit.agent in paired and hit.zygosity else hit for hit in agents]


def _read_tests(
    kb: KnowledgeBase,
    case: Case,
    free: _FreeText,
    observations: list[Observation],
    agents: list[AgentHit],
    unrecognized: list[Unrecognized],
    no_bearing: list[NoBearing],
) -> None:
    """Read each test result by its test's rules, else as free text; a test the knowledge base knows whose
    result yields nothing has no bearing (reported as such); any other test is unrecognised."""
    for test in case.tests:
        origin = f"tests: '{test.name}' = '{test.result}'"
        nodes, known = resolve_any_test(kb, test.name)
        fired = _fired_rules(kb, free, test, nodes)
        for finding, present, agent in fired:
            if finding:
                observations.append(Observation(finding, present, origin))
            if agent and kb.kinds.get(agent) == "Gene":  # a gene a variant is reported in, and where it arose
                agents.append(gene_hit(kb, agent, origin, test.result, finding if present else None))
            elif agent:  # an organism detected
                agents.append(AgentHit(agent, origin))
        if not fired:
            _read_test_as_text(kb, free, test, nodes, known, unrecognized, no_bearing)


def _fired_rules(
    kb: KnowledgeBase, free: _FreeText, test: TestResult, nodes: tuple[str, ...]
) -> list[tuple[str | None, bool, str | None]]:
    """The rules a test result fires: its own test's; else, for a test the ontology does not name, a gene
    panel's rules for the gene its name names; else the negative rules of the tests for an organism it names."""
    fired = [rule for node in nodes for rule in read_result(kb, node, test.result, test.name)]
    if not fired and not nodes:  # "VPS13B sequencing": the name says which gene; the panel's rules read both
        named = f"{test.name}: {test.result}"
        fired = [rule for node in _gene_tests(kb, free, test.name) for rule in read_result(kb, node, named)]
    if not fired:  # "Epstein-Barr virus test: negative", "malaria films: negative": what was sought was not found;
        # what was found only when the test looks for the agent itself or a recent antibody ("influenza A
        # PCR: positive"): a positive "CMV IgG" is a past infection (the free text reads it)
        current = current_infection(kb, f"{test.name}: {test.result}")
        organism_rules = (
            rule for node in _organism_tests(kb, test.name) for rule in read_result(kb, node, test.result)
        )
        fired = [rule for rule in organism_rules if (current or not rule[1]) and not rule[2]]
    return fired


def _read_test_as_text(
    kb: KnowledgeBase,
    free: _FreeText,
    test: TestResult,
    nodes: tuple[str, ...],
    known: str | None,
    unrecognized: list[Unrecognized],
    no_bearing: list[NoBearing],
) -> None:
    """Read a result no rule fired on as free text; when that finds nothing either, say why: the test's
    rules do not read it, the test bears on no cause here, or the test is unknown."""
    text = f"{test.name}: {test.result}"
    # the name of a test that bears on no cause says what was looked for, not what was found
    # ("CMV IgG: positive" is a past infection, "Q fever serology" no fever): only its result is read
    read = test.result if known is not None and not nodes else text
    before = len(free.unrecognized)
    free.read("tests", read, negative=is_negative_result(test.result), shown=text)
    if len(free.unrecognized) == before:
        return
    free.unrecognized.pop()
    if nodes:
        reason = f"{kb.label(nodes[0])}: its rules do not read this result"
        no_bearing.append(NoBearing("tests", text, reason))
    elif known is not None:
        reason = f"a known test ({_named(kb, known)}) that bears on no cause here"
        no_bearing.append(NoBearing("tests", text, reason))
    else:
        reason = "test not in the ontology and its result names nothing known"
        unrecognized.append(Unrecognized("tests", text, reason))


def _gene_tests(kb: KnowledgeBase, free: _FreeText, name: str) -> list[str]:
    """The tests whose rules read a variant in a gene that a test's ``name`` names as written ("HAX1 gene
    sequencing"): the gene panel, whose rules then need a variant stated, not a test sent or pending."""
    genes = {
        node
        for spot in kb.concept_index.spot(name)
        for node in spot.ids
        if kb.kinds.get(node) == "Gene" and free.symbol_as_written(node, name)
    }
    return sorted(test for test, info in kb.tests.items() if any(rule.organism in genes for rule in info.rules))


def _organism_tests(kb: KnowledgeBase, name: str) -> list[str]:
    """The tests for an organism or an infection that a test's ``name`` names ("Epstein-Barr virus test",
    "malaria thick and thin films x3"): the tests that confirm the infection (a cause the organism is
    linked to, or the cause named) and that name the organism or the infection themselves (the EBV
    serology, not the blood film or the aminotransferases that also confirm mononucleosis), so that their
    rules read a negative result as they would under their own name."""
    named = sorted(
        {
            node
            for spot in kb.concept_index.spot(name)
            if not spot.negated
            for node in spot.ids
            if kb.kinds.get(node) in ("Organism", "Cause")
        }
    )
    found: set[str] = set()
    for node in named:
        if kb.kinds[node] == "Organism":
            info, causes = kb.agents[node].info, [assoc.cause for assoc in kb.agent_assocs.get(node, ())]
        else:
            info, causes = kb.causes[node].info, [node]
        names = [n.lower() for n in (info.label, *info.synonyms) if len(n) > 2]
        for cause in causes:
            for test in kb.causes[cause].tests:
                tinfo = kb.tests[test].info
                if any(n in t.lower() for t in (tinfo.label, *tinfo.synonyms) for n in names):
                    found.add(test)
    return sorted(found)


def _named(kb: KnowledgeBase, node: str) -> str:
    """A known name as a reader sees it: its label and its standard id, when it has one."""
    info = kb.known_terms[node]
    return f"{info.label}, {info.xrefs[0]}" if info.xrefs else info.label


def _first_wins(observations: list[Observation]) -> tuple[Observation, ...]:
    seen: dict[str, Observation] = {}
    for observation in observations:
        seen.setdefault(observation.finding, observation)
    return tuple(seen.values())


def _unmatched_medication(
    kb: KnowledgeBase,
    medication: Medication,
    match: DrugMatch,
    free: _FreeText,
    unrecognized: list[Unrecognized],
    no_bearing: list[NoBearing],
) -> None:
    """Record a medication that names no drug: an exposure, a statement of none, a drug class, or unrecognised."""
    if match.match != "ambiguous" and kb.concept_index.spot(medication.name):
        # "chemotherapy (FOLFOX)", "radiotherapy": an exposure written as a medication
        free.read("medications", medication.name, medication.last_dose_days_ago)
    elif states_nothing_found(medication.name, kb.nothing_found_phrases):  # "none", "no regular medications"
        no_bearing.append(NoBearing("medications", medication.name, "states that no drug is taken"))
    elif (group := resolve_known(kb, medication.name, "DrugClass")) is not None:
        reason = f"a class of drugs ({_named(kb, group)}); name the drug to have it weighed"
        no_bearing.append(NoBearing("medications", medication.name, reason))
    else:
        unrecognized.append(Unrecognized("medications", medication.name, match.reason))


def _read_medications(
    kb: KnowledgeBase,
    case: Case,
    free: _FreeText,
    unrecognized: list[Unrecognized],
    no_bearing: list[NoBearing],
) -> tuple[list[DrugExposure], list[OtherDrug]]:
    """The drugs the medications name, and those that are known but linked to no cause."""
    drugs: list[DrugExposure] = []
    other_drugs: list[OtherDrug] = []
    for medication in case.medications or ():
        match = resolve_drug(kb, medication.name)
        timing = (medication.started_days_ago, medication.stopped_days_ago, medication.last_dose_days_ago)
        if match.known is not None:
            other_drugs.append(OtherDrug(medication.name, match.known.label, match.known.xref, *timing))
            continue
        if not match.agents:
            _unmatched_medication(kb, medication, match, free, unrecognized, no_bearing)
            continue
        for agent in match.agents:
            if not kb.agent_assocs.get(agent):
                given_as = _treatment_given(kb, agent)
                if given_as:  # G-CSF, a corticosteroid: expected in neutropenia, never a culprit candidate
                    no_bearing.append(NoBearing("medications", medication.name, given_as))
                else:
                    info = kb.agents[agent].info
                    xref = info.xrefs[0] if info.xrefs else None
                    other_drugs.append(OtherDrug(medication.name, info.label, xref, *timing))
            drugs.append(DrugExposure(agent, medication.name, match.match, *timing))
    return drugs, other_drugs


def _treatment_given(kb: KnowledgeBase, agent: str) -> str:
    """Why a drug that no cause links is not a possible culprit: the treatments it delivers
    (``nkg:deliversTreatment``: G-CSF, corticosteroids for a suspected immune cause, antibiotics for
    febrile neutropenia), which a patient with neutropenia is expected to be given; empty when none."""
    given = [kb.label(treatment) for treatment in kb.agents[agent].treatments if treatment in kb.treatments]
    if not given:
        return ""
    return f"given as a treatment ({'; '.join(given)}) of neutropenia or its causes; not weighed as a culprit"


def _ancestry_group(kb: KnowledgeBase, case: Case, unrecognized: list[Unrecognized]) -> str | None:
    """The ancestry group the case names (an unknown one is recorded as unrecognised)."""
    if not case.ancestry:
        return None
    groups = kb.ancestry_index.lookup(case.ancestry) or tuple(
        node for spot in kb.ancestry_index.spot(case.ancestry) for node in spot.ids
    )
    if groups:
        return groups[0]
    unrecognized.append(Unrecognized("patient.ancestry", case.ancestry, "not an ancestry group of the ontology"))
    return None


def _recent_chemotherapy(
    kb: KnowledgeBase, contexts: Iterable[ContextHit], drugs: Iterable[DrugExposure]
) -> list[Observation]:
    """Recent chemotherapy, derived from each exposure named without its agents and the first recent
    myelosuppressive drug, within ``chemo_expected_fall_days``."""
    chemo_window = kb.param("chemo_expected_fall_days")
    observations = []
    for hit in contexts:  # "chemotherapy 9 days ago" named without its agents
        if hit.node in kb.myelosuppressive_contexts and hit.days_ago is not None and hit.days_ago <= chemo_window:
            observations.append(
                Observation(RECENT_CHEMOTHERAPY, True, f"{hit.origin}, {hit.days_ago:g} days ago", derived=True)
            )
    for drug in drugs:
        last = drug.last_dose_days_ago
        if kb.agents[drug.agent].myelosuppressive and last is not None and last <= chemo_window:
            observations.append(
                Observation(RECENT_CHEMOTHERAPY, True, f"{drug.written} last given {last:g} days ago", derived=True)
            )
            break
    return observations


def normalise_case(kb: KnowledgeBase, case: Case) -> NormalisedCase:
    """Map a case onto the knowledge graph (see module docstring)."""
    observations: list[Observation] = []
    unrecognized: list[Unrecognized] = []
    agents: list[AgentHit] = []
    free = _FreeText(kb)
    _findings(kb, case.findings, True, "findings", observations, unrecognized, free)
    _findings(kb, case.absent_findings, False, "absent_findings", observations, unrecognized, free)
    stated = _check_count_or_statement(kb, case, observations)
    fever, measured_first = _fever(kb, case)
    if fever is not None and measured_first:  # a measured fever outranks "afebrile"
        observations.insert(0, fever)
    elif fever is not None:  # a stated fever outranks a normal reading
        observations.append(fever)

    no_bearing: list[NoBearing] = []
    _read_tests(kb, case, free, observations, agents, unrecognized, no_bearing)

    drugs, other_drugs = _read_medications(kb, case, free, unrecognized, no_bearing)
    for exposure in case.exposures:
        free.read("exposures", exposure.name, exposure.days_ago)
    for condition in case.conditions:
        free.read("conditions", condition)
    for item in case.family_history:
        free.read("family_history", item)
    observations.extend(free.observations)
    unrecognized.extend(free.unrecognized)
    no_bearing.extend(free.no_bearing)
    for key in case.unknown_labs:
        unrecognized.append(Unrecognized("labs", key, "not a lab key of case format version 1"))

    ancestry_group = _ancestry_group(kb, case, unrecognized)
    if case.sex and case.sex not in ("female", "male"):
        unrecognized.append(
            Unrecognized("patient.sex", case.sex, "sex-specific ranges and priors need 'female' or 'male'")
        )

    severity = assess_severity(kb, case, stated)
    observations.extend(lab_observations(kb, case))
    observations.extend(timeline_observations(kb, case, severity))
    observations.extend(_recent_chemotherapy(kb, free.contexts, [*drugs, *free.drugs]))

    return NormalisedCase(
        case=case,
        observations=_first_wins(observations),
        drugs=tuple(drugs + free.drugs),
        agents=tuple(_compound_heterozygous(agents + free.agents)),
        contexts=tuple(free.contexts),
        known_causes=tuple(free.known_causes),
        ancestry_group=ancestry_group,
        severity=severity,
        unrecognized=tuple(unrecognized),
        medications_given=case.medications is not None or bool(free.drugs),
        other_drugs=tuple(other_drugs),
        no_bearing=tuple(no_bearing),
    )
