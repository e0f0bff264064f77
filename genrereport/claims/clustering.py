"""Claims of the Clustering, Bins vs clusters and Conclusion pages.

The study's conclusions are stated as the study's (short, in this project's words), each beside
a claim that says whether this build bears it out.
"""

from __future__ import annotations

from genrereport.claims import Claim, join, plural, study
from genrereport.filters import number, pct, signed, text

# One feature "dominates" distances when its spread is at least this many times the next one's
# (its variance nine times): the distances then follow it more than all others.
DOMINANT_RATIO = 3


def _spread(scales: dict, features) -> list[tuple[str, float]]:
    rows = [(f, scales[f]["std"]) for f in features if f in scales]
    return sorted(rows, key=lambda r: -r[1])


def scales(cl: dict, exp_id: str) -> Claim:
    """Which feature's units dominate the distances k-means uses in one experiment."""
    exp = cl[exp_id]
    order = _spread(cl["feature_scales"], exp["features"])
    cid = f"clustering.{exp_id}.scales"
    if len(order) < 2:
        return Claim(cid, "", None)
    (top, s1), (second, s2) = order[0], order[1]
    rest = order[-1]
    ratio = s1 / s2 if s2 else float("inf")
    if ratio >= DOMINANT_RATIO:
        return Claim(cid, f"Its spread (standard deviation) is {number(s1, 1)} for "
                     f"{text(top)}, against {number(s2, 1)} for the next feature, "
                     f"{text(second)}, and {number(rest[1], 2)} for {text(rest[0])}: distances "
                     f"between songs are mostly differences in {text(top)}.", True)
    return Claim(cid, f"The widest spread is {text(top)}'s ({number(s1, 2)}), but "
                 f"{text(second)} comes close ({number(s2, 2)}): no single feature's units "
                 "decide the distances.", False)


def stratified(cl: dict, exp_id: str) -> Claim:
    """Whether the cluster forest's splits could be stratified."""
    ok = cl[exp_id]["forest"]["stratified"]
    return Claim(f"clustering.{exp_id}.stratified", "" if ok else
                 "(There were too few songs in some cluster to stratify the splits, so they are "
                 "plain random splits.)", ok)


def dominance(cl: dict) -> list[Claim]:
    """Did the cluster forest rely most on tempo (experiment 1) and loudness (experiment 2)?"""
    out = []
    for d in cl["conclusion"]["dominance"]:
        exp = cl[d["experiment"]]
        cid = f"clustering.{d['experiment']}.dominance"
        out.append(study(f"{cid}.study", f"The study found that k-means split the songs of "
                         f"experiment {exp['number']} by {text(d['study_feature'])}."))
        more = ", more than all other features together" if d["outweighs_rest"] else ""
        if d["agrees"]:
            out.append(Claim(cid, f"As in the study, the forest that recognises the clusters "
                             f"relies most on {text(d['study_feature'])}: an importance of "
                             f"{number(d['study_feature_importance'], 2)} out of one{more}.",
                             True))
        else:
            out.append(Claim(cid, f"Unlike in the study, {text(d['study_feature'])} is not what "
                             f"the forest relies on most: it gives {text(d['top_feature'])} an "
                             f"importance of {number(d['top_importance'], 2)} and "
                             f"{text(d['study_feature'])} {number(d['study_feature_importance'], 2)}.",
                             False))
    return out


def no_single_feature(cl: dict, exp_id: str) -> Claim:
    """Does one feature decide the clusters of an experiment?"""
    exp = cl.get(exp_id)
    cid = f"clustering.{exp_id}.top_feature"
    if not exp or not exp["forest"]["importances"]:
        return Claim(cid, "", None)
    top = exp["forest"]["importances"][0]
    spread = top["importance"] < 0.5
    tail = ("no single feature decides the clusters" if spread
            else "that one feature decides most of the clusters")
    return Claim(cid, f"The forest's most important feature, {text(top['feature'])}, has an "
                 f"importance of {number(top['importance'], 2)} out of one: {tail}.", spread)


def scan_structure(cl: dict, cid: str = "clustering.scan") -> Claim:
    """What the best silhouette says about natural groups."""
    scan = cl["scan"]
    if scan["best_silhouette_k"] is None:
        return Claim(cid, "The silhouette could not be computed for any k.", None)
    weak = scan["best_structure"] in ("weak", "no")
    tail = (": the songs do not fall into well-separated groups, and the clusters are cuts "
            "through one continuous cloud" if weak else "")
    return Claim(cid, f"The highest silhouette, {number(scan['best_silhouette'], 3)}, is at "
                 f"k = {scan['best_silhouette_k']}, which by the usual reading of the silhouette "
                 f"finds **{text(scan['best_structure'])}** structure{tail}.", not weak)


def overlap(cl: dict) -> Claim:
    """Do any experiment's clusters resemble the genre bins?"""
    o = cl["conclusion"]["overlap"]
    best = cl[o["best_experiment"]]
    head = (f"The closest match is experiment {best['number']}, with a V-measure of "
            f"{number(best['agreement']['v_measure'], 3)} (shuffled clusters: "
            f"{number(best['chance']['v_measure'], 3)}) and an adjusted Rand index of "
            f"{number(best['agreement']['ari'], 3)} (shuffled: {number(best['chance']['ari'], 3)}). "
            "Identical partitions would score one on both.")
    if o["agrees"]:
        return Claim("clusters.overlap", f"{head} No experiment reaches the V-measure of "
                     f"{number(o['threshold'], 2)} that this report takes as the least for "
                     "clusters that resemble the genres: whatever the clusters capture, it is "
                     "not the genres people name.", True)
    return Claim("clusters.overlap", f"{head} Experiment {best['number']} passes the V-measure "
                 f"of {number(o['threshold'], 2)} that this report takes as the least for "
                 "clusters that resemble the genres.", False)


def balance(cl: dict) -> list[Claim]:
    """Is the largest genre pop, at about 35 %?"""
    b = cl["conclusion"]["balance"]
    said = (study("conclusion.balance.study", f"The study noted that {text(b['study_genre'])} "
                  f"made up about {pct(b['study_share'], 0)} of its songs, so any model that "
                  "leans towards the largest class looks better than it is.")
            if b["study_genre"] else Claim("conclusion.balance.study", "", None))
    found = (f"The largest genre is **{text(b['majority_genre'])}** with "
             f"{pct(b['majority_share'])} of the {cl['songs']:,} songs; the smallest, "
             f"{text(b['smallest_genre'])}, has {pct(b['smallest_share'])}, so there are "
             f"{number(b['ratio'], 1)} songs of the largest genre for every song of the "
             "smallest.")
    if b["agrees"] is False:
        found += (f" That is not \"{text(b['study_genre'])} at about {pct(b['study_share'], 0)}\" "
                  f"(this report allows {pct(b['tolerance'], 0)} either way).")
    return [said, Claim("conclusion.balance", found, b["agrees"])]


def overlap_conclusion(cl: dict, rf_accuracy: float | None,
                       has_study: bool = True) -> list[Claim]:
    """The study's 'genres overlap heavily', checked with the clusters (for a study without
    that claim: the same figures, as this build's own finding)."""
    o = cl["conclusion"]["overlap"]
    b = cl["conclusion"]["balance"]
    said = (study("conclusion.overlap.study", "The study's classifiers struggled, and it blamed "
                  "genres that look alike on every feature.") if has_study
            else Claim("conclusion.overlap.study", "", None))
    found = (f"The best match between clusters and genre bins is experiment {o['best_number']}, "
             f"with a V-measure of {number(o['best_v_measure'], 3)}, where identical partitions "
             f"would score one and this report's bar for \"resembles the genres\" is "
             f"{number(o['threshold'], 2)}. At best {pct(o['best_purity'])} of songs sit in a "
             f"cluster that their own genre leads, against {pct(b['majority_share'])} if every "
             f"cluster were simply called \"{text(b['majority_genre'])}\".")
    if rf_accuracy is not None:
        found += (f" The random forest classifier, which is told the genres, names the right "
                  f"one for {pct(rf_accuracy)} of the test songs.")
    return [said, Claim("conclusion.overlap", found, o["agrees"] if has_study else None)]


def leaders(cl: dict) -> list[Claim]:
    """Besides the majority genre, which genres lead a cluster in experiment 3?"""
    lead = cl["conclusion"]["leaders"]
    if lead is None:
        return []
    e3 = cl[lead["experiment"]]
    majority = cl["conclusion"]["balance"]["study_genre"]
    others = join([text(g) for g in lead["study_besides_majority"]])
    said = study("conclusion.leaders.study", f"In experiment {e3['number']} (only the "
                 f"{len(e3['features'])} features on a zero-to-one scale), the study found "
                 f"{text(majority)} the commonest genre in most clusters, and only {others} "
                 "leading the others.")
    found = "In this build, the genres that lead a cluster are " + join([
        f"**{text(g['genre'])}** ({g['clusters']} of {e3['n_clusters']})"
        for g in lead["clusters_led"]]) + "."
    if lead["missing"]:
        n = len(lead["missing"])
        found += (f" The study's {join([text(g) for g in lead['missing']])} "
                  f"lead{'s' if n == 1 else ''} no cluster here.")
    if lead["extra"]:
        n = len(lead["extra"])
        found += (f" {join([text(g) for g in lead['extra']])} lead{'s' if n == 1 else ''} a "
                  "cluster here but did not in the study.")
    return [said, Claim("conclusion.leaders", found, lead["agrees"])]


def _profile(expected: list[dict]) -> str:
    high = [text(e["feature"]) for e in expected if e["high"]]
    low = [text(e["feature"]) for e in expected if not e["high"]]
    parts = ([f"high in {join(high)}"] if high else []) + ([f"low in {join(low)}"] if low else [])
    return " and ".join(parts)


def character(cl: dict) -> list[Claim]:
    """Do the clusters led by classical and dance look as the study described them?"""
    con = cl["conclusion"]
    if con["leaders"] is None:
        return []
    described = join([f"those led by {text(c['genre'])} {_profile(c['expected'])}"
                      for c in con["character"]])
    out = [study("conclusion.character.study", f"The study explained the exceptions by sound: "
                 f"it described the clusters {described}, and put that down to how such music "
                 "is played and mastered.")]
    for c in con["character"]:
        cid = f"conclusion.character.{c['genre']}"
        expected = _profile(c["expected"])
        if c["clusters"] == 0:
            out.append(Claim(cid, f"No cluster is led by {text(c['genre'])} in this build, so "
                             "its description cannot be checked.", False))
        elif c["agrees"]:
            which = ("The only cluster" if c["clusters"] == 1 else
                     f"All {c['clusters']} clusters")
            out.append(Claim(cid, f"{which} led by {text(c['genre'])} "
                             f"{'fits' if c['clusters'] == 1 else 'fit'} the study's "
                             f"description ({expected}).", True))
        else:
            misses = "; ".join(f"cluster {m['cluster']}'s {text(m['feature'])} is "
                               f"{signed(m['z'], 2) if m['z'] is not None else '–'} standard "
                               "deviations from the mean" for m in c["mismatches"])
            out.append(Claim(cid, f"The {plural(c['clusters'], 'cluster')} led by "
                             f"{text(c['genre'])} depart from the study's description "
                             f"({expected}) in {len(c['mismatches'])} of {c['checks']} checks: "
                             f"{misses}.", False))
    return out


def scaling(cl: dict) -> Claim:
    """Does standardising the features bring the clusters closer to the genres?"""
    sc = cl["conclusion"]["scaling"]
    if sc is None:
        return Claim("conclusion.scaling", "", None)
    head = (f"Experiment {sc['standardized_number']} puts every feature on the same footing "
            f"first. Its V-measure against the genres is {number(sc['standardized_v_measure'], 3)}, "
            f"against {number(sc['best_unscaled_v_measure'], 3)} for the best unscaled "
            f"experiment ({sc['best_unscaled_number']}): ")
    if sc["standardized_better"]:
        threshold = cl["conclusion"]["overlap"]["threshold"]
        far = sc["standardized_v_measure"] < threshold
        tail = (f"scaling helps, but the clusters remain far from the genres (below the "
                f"{number(threshold, 2)} this report asks for)." if far else
                "scaling helps, and brings the clusters close to the genres.")
        return Claim("conclusion.scaling", head + tail, True)
    return Claim("conclusion.scaling", head + "scaling alone does not bring the clusters closer "
                 f"to the genres than experiment {sc['best_unscaled_number']} did.", False)


def in_short(cl: dict) -> Claim:
    """The closing summary: which genres have a sound of their own, and how the rest spread."""
    con = cl["conclusion"]
    lead = con["leaders"]
    if lead is None:
        return Claim("conclusion.in_short", "", None)
    e3 = cl[lead["experiment"]]
    majority = con["balance"]["majority_genre"]
    parts = []
    if lead["build_besides_majority"]:
        parts.append(f"Where a genre has a sound of its own, the features find it: in "
                     f"experiment {e3['number']}, {join([text(g) for g in lead['build_besides_majority']])} "
                     "lead clusters of their own.")
    for g in lead["clusters_led"]:
        if g["genre"] != majority:
            continue
        tail = (f", and the majority in at least one ({pct(g['best_share'])} at most)"
                if g["holds_majority"] else
                f" without being the majority in any of them (at most {pct(g['best_share'])})")
        parts.append(f"The other genres are spread over the clusters, and {text(majority)}, with "
                     f"{pct(con['balance']['majority_share'], 0)} of the songs, is the commonest "
                     f"genre in {g['clusters']} of the {e3['n_clusters']} clusters{tail}.")
    return Claim("conclusion.in_short", " ".join(parts), bool(lead["build_besides_majority"]))


def intro(has_study: bool) -> Claim:
    """How the Conclusion page works, for a study with published conclusions or without."""
    if has_study:
        return Claim("conclusion.intro", "The study ended with a handful of conclusions. Below, "
                     "each is restated as the study's claim, and this build's own numbers are set "
                     "beside it. Where the rerun disagrees, the box says so.", True)
    return Claim("conclusion.intro", "The questions the study asks, answered for this data set "
                 "from this build's own numbers.", False)


def claims(results: dict) -> list:
    """The claims of the clustering pages."""
    cl = results["clustering"]
    rf = results.get("models", {}).get("rf", {}).get("test_accuracy")
    has_study = results.get("study", {}).get("has_reference", True)
    ids = cl["experiment_ids"]
    out = [scales(cl, e) if not cl[e]["standardized"] else Claim(f"clustering.{e}.scales", "")
           for e in ids]
    out += [stratified(cl, e) for e in ids] + [no_single_feature(cl, e) for e in ids]
    out += dominance(cl) + [scan_structure(cl), overlap(cl)]
    out += balance(cl) + overlap_conclusion(cl, rf, has_study) + leaders(cl) + character(cl)
    out += [scaling(cl), in_short(cl), scan_structure(cl, "conclusion.scan"), intro(has_study)]
    return out
