"""Quick structural check of one ontology module (for authors, before the full validator).

Usage: python scripts/check_module.py ontology/modules/drugs.ttl
Prints one line per problem and exits 1 if there is any.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

ROOT = Path(__file__).resolve().parent.parent
NKG = Namespace("https://w3id.org/neutropenia-kg/schema#")
HP = "http://purl.obolibrary.org/obo/HP_"


def main(path: str) -> int:
    problems: list[str] = []
    schema = Graph().parse(ROOT / "ontology" / "schema.ttl")
    known = {s for s in schema.subjects() if str(s).startswith(str(NKG))}
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except SyntaxError as exc:  # rdflib BadSyntax
        print(f"{path}: syntax error: {exc}")
        return 1
    hpo = {}
    for line in (ROOT / "ontology" / "imports" / "hpo-terms.tsv").read_text().splitlines():
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        hpo[cols[0]] = (cols[1], cols[4])
    for s, p, o in g:
        for term in (p, o):
            if isinstance(term, URIRef) and str(term).startswith(str(NKG)) and term not in known:
                problems.append(f"unknown schema term {term} (in triple about {s})")
        if p in (RDFS.label, SKOS.altLabel) and isinstance(o, Literal) and o.language:
            problems.append(f"{s}: language-tagged label {o!r}")

    def need(node, prop, name):
        if g.value(node, prop) is None:
            problems.append(f"{node}: missing {name}")

    for c in g.subjects(RDF.type, NKG.Cause):
        for prop, name in [
            (RDFS.label, "label"),
            (SKOS.definition, "definition"),
            (NKG.mechanism, "mechanism"),
            (NKG.category, "category"),
            (NKG.prevalence, "prevalence"),
            (DCTERMS.source, "source"),
            (NKG.confirmedBy, "confirmedBy"),
            (NKG.treatedWith, "treatedWith"),
            (NKG.managementNote, "managementNote"),
            (SKOS.altLabel, "synonym"),
        ]:
            need(c, prop, name)
        n = len(list(g.subjects(NKG.cause, c)))
        if n < 6:
            problems.append(f"{c}: only {n} associations")
    for kind in (NKG.FindingAssociation, NKG.AgentAssociation, NKG.ContextAssociation, NKG.PriorModifier):
        for a in g.subjects(RDF.type, kind):
            need(a, NKG.cause, "cause")
            need(a, DCTERMS.source, "source")
            if kind == NKG.FindingAssociation:
                need(a, NKG.finding, "finding")
                need(a, NKG.polarity, "polarity")
                f = g.value(a, NKG.frequency)
                if f is None or not 0 < float(f) < 1:
                    problems.append(f"{a}: frequency must be in (0,1), got {f}")
            if kind in (NKG.AgentAssociation, NKG.ContextAssociation):
                lr = g.value(a, NKG.likelihoodRatio)
                if lr is None or float(lr) <= 0:
                    problems.append(f"{a}: likelihoodRatio must be > 0, got {lr}")
            if kind == NKG.ContextAssociation:
                need(a, NKG.context, "context")
            if kind == NKG.AgentAssociation:
                need(a, NKG.agent, "agent")
    for kind in (NKG.Drug, NKG.Organism, NKG.Gene):
        for a in g.subjects(RDF.type, kind):
            need(a, RDFS.label, "label")
            need(a, NKG.xref, "xref")
    for node in set(g.subjects()) | {o for o in g.objects() if isinstance(o, URIRef)}:
        if str(node).startswith(HP):
            curie = "HP:" + str(node)[len(HP) :]
            if curie not in hpo:
                problems.append(f"{curie}: not in HPO release")
                continue
            label, obsolete = hpo[curie]
            if obsolete:
                problems.append(f"{curie}: obsolete HPO term")
            given = g.value(node, RDFS.label)
            if given is not None and str(given) != label:
                problems.append(f"{curie}: label {given!r} differs from HPO label {label!r}")
    resource = "https://w3id.org/neutropenia-kg/resource/"
    for o in set(g.objects()):
        if isinstance(o, URIRef) and str(o).startswith(resource) and (o, RDF.type, None) not in g:
            print(f"note: {o} is referenced but defined in another module")
    for p in problems:
        print(p)
    print(f"{len(g)} triples; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
