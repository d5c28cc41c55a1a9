/* record_diag: recording codec for the diagnoses attached to a snapshot (findings and
 * every rule's state); rule ids map back to the static registry on decode. */
#include "record/record_codec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diagnoses/diag.h"

/* Every field must be in a table below (a new field gets a new tag): this stops the
 * build when the struct changes until the codec does (sizes as on x86-64). */
#if defined(__x86_64__)
_Static_assert(sizeof(struct diag_finding) == 704 && sizeof(struct diag_rule_status) == 304 && sizeof(struct diag_evidence) == 40,
               "the diag structs changed: update record_diag.c");
#endif

#define TAG_RAN 1
#define TAG_FINDINGS 2
#define TAG_RULES 3
#define TAG_F_EVIDENCE 6

static const struct rec_field finding_fields[] = {
    REC_FIELD(1, RF_STR, struct diag_finding, id),
    REC_FIELD(2, RF_INT, struct diag_finding, severity),
    REC_FIELD(3, RF_INT, struct diag_finding, since_ns),
    REC_FIELD(4, RF_STR, struct diag_finding, message),
};

static const struct rec_field evidence_fields[] = {
    REC_FIELD(1, RF_STR, struct diag_evidence, key),
    REC_FIELD(2, RF_F64, struct diag_evidence, value),
};

void record_diag_encode(struct rec_buf *b, const struct snapshot *s)
{
    const struct diag_sample *d = &s->diag;
    rec_put_bool(b, TAG_RAN, d->rules != NULL);
    size_t m = rec_begin(b, TAG_FINDINGS);
    for (size_t i = 0; d->findings && i < d->nfindings; i++) {
        const struct diag_finding *f = &d->findings[i];
        size_t e = rec_begin(b, REC_ELEM);
        rec_put_fields(b, finding_fields, REC_NFIELDS(finding_fields), f);
        for (int k = 0; k < f->nevidence && k < DIAG_MAX_EVIDENCE; k++) {
            size_t ev = rec_begin(b, TAG_F_EVIDENCE);
            rec_put_fields(b, evidence_fields, REC_NFIELDS(evidence_fields), &f->evidence[k]);
            rec_end(b, ev);
        }
        rec_end(b, e);
    }
    rec_end(b, m);
    m = rec_begin(b, TAG_RULES);
    for (size_t i = 0; d->rules && i < d->nrules; i++) {
        size_t e = rec_begin(b, REC_ELEM);
        rec_put_str(b, 1, d->rules[i].id, 32);
        rec_put_i(b, 2, d->rules[i].state);
        rec_put_str(b, 3, d->rules[i].why, sizeof(d->rules[i].why));
        /* 4: a figure {1 name, 2 value}; 5: the thresholds in force, in order. */
        for (int k = 0; k < d->rules[i].nfigures && k < DIAG_MAX_FIGURES; k++) {
            size_t fm = rec_begin(b, 4);
            rec_put_str(b, 1, d->rules[i].figures[k].name, sizeof(d->rules[i].figures[k].name));
            rec_put_f64(b, 2, d->rules[i].figures[k].value);
            rec_end(b, fm);
        }
        const struct diag_rule *rule = diag_rule_find(d->rules[i].id);
        for (size_t t = 0; rule && t < rule->nthresholds && t < DIAG_MAX_THRESHOLDS; t++)
            rec_put_f64(b, 5, d->rules[i].thr[t]);
        rec_end(b, e);
    }
    rec_end(b, m);
}

static int decode_finding(struct rec_reader r, struct diag_finding *f)
{
    uint32_t tag;
    struct rec_reader v;
    int rc;
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        if (tag == TAG_F_EVIDENCE) {
            if (f->nevidence >= DIAG_MAX_EVIDENCE)
                continue;
            if (rec_get_fields(v, evidence_fields, REC_NFIELDS(evidence_fields),
                               &f->evidence[f->nevidence]) < 0)
                return -1;
            f->nevidence++;
        } else if (rec_get_field(finding_fields, REC_NFIELDS(finding_fields), tag, &v, f) < 0) {
            return -1;
        }
    }
    if (rc < 0 || f->severity < DIAG_NONE || f->severity > DIAG_CRIT)
        return -1;
    /* The pane is a static string of the rule; a rule this build lacks has none. */
    const struct diag_rule *rule = diag_rule_find(f->id);
    f->pane = rule ? rule->pane : NULL;
    return 0;
}

static int decode_findings(struct rec_reader r, struct diag_sample *d)
{
    long n = record_count_elems(r, REC_MAX_ELEMS);
    if (n <= 0)
        return n < 0 ? -1 : 0;       /* none: no array, as the engine leaves it */
    d->findings = calloc((size_t)n, sizeof(*d->findings));
    if (!d->findings)
        return -1;
    uint32_t tag;
    struct rec_reader v;
    while (rec_next(&r, &tag, &v) > 0) {
        if (tag != REC_ELEM)
            continue;
        if (decode_finding(v, &d->findings[d->nfindings]) < 0)
            return -1;
        d->nfindings++;
    }
    return 0;
}

/* A recording from before figures were kept has none: the rule then exports none. */
static int decode_figure(struct rec_reader r, struct diag_figure *fig)
{
    uint32_t tag;
    struct rec_reader v;
    int rc;
    fig->value = NAN;
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        int bad = 0;
        if (tag == 1)
            bad = rec_get_str(&v, fig->name, sizeof(fig->name));
        else if (tag == 2)
            bad = rec_get_f64(&v, &fig->value);
        if (bad < 0)
            return -1;
    }
    return rc < 0 || !fig->name[0] ? -1 : 0;
}

/* Rules this build does not know are left out: their id must point into the registry. */
static int decode_rules(struct rec_reader r, struct diag_sample *d)
{
    long n = record_count_elems(r, REC_MAX_ELEMS);
    if (n < 0)
        return -1;
    d->rules = calloc(n ? (size_t)n : 1, sizeof(*d->rules));
    if (!d->rules)
        return -1;
    uint32_t tag, t2;
    struct rec_reader v, f;
    while (rec_next(&r, &tag, &v) > 0) {
        if (tag != REC_ELEM)
            continue;
        struct diag_rule_status st;
        char id[32] = "";
        int64_t state = 0;
        memset(&st, 0, sizeof(st));
        int rc;
        size_t nthr = 0;
        while ((rc = rec_next(&v, &t2, &f)) > 0) {
            int bad = 0;
            if (t2 == 1)
                bad = rec_get_str(&f, id, sizeof(id));
            else if (t2 == 2)
                bad = rec_get_i(&f, &state);
            else if (t2 == 3)
                bad = rec_get_str(&f, st.why, sizeof(st.why));
            else if (t2 == 4 && st.nfigures < DIAG_MAX_FIGURES)
                bad = decode_figure(f, &st.figures[st.nfigures++]);
            else if (t2 == 5 && nthr < DIAG_MAX_THRESHOLDS)
                bad = rec_get_f64(&f, &st.thr[nthr++]);
            if (bad < 0)
                return -1;
        }
        if (rc < 0 || state < DIAG_RULE_QUIET || state > DIAG_RULE_DISABLED)
            return -1;
        const struct diag_rule *rule = diag_rule_find(id);
        if (!rule)
            continue;
        st.id = rule->id;
        st.state = (enum diag_rule_state)state;
        d->rules[d->nrules++] = st;
    }
    return 0;
}

int record_diag_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len)
{
    struct diag_sample *d = &s->diag;
    uint32_t tag;
    struct rec_reader v, findings = { NULL, 0, 0 }, rules = { NULL, 0, 0 };
    bool ran = false, have_findings = false;
    int rc;
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        if (tag == TAG_RAN) {
            uint64_t x;
            if (rec_get_u(&v, &x) < 0 || x > 1)
                return record_fail(why, len, "malformed field");
            ran = x == 1;
        } else if (tag == TAG_FINDINGS) {
            findings = v;
            have_findings = true;
        } else if (tag == TAG_RULES) {
            rules = v;
        }
    }
    if (rc < 0)
        return record_fail(why, len, "malformed framing");
    diag_sample_free(d);
    memset(d, 0, sizeof(*d));
    /* As the engine leaves it: both arrays when the rules ran, neither otherwise. */
    if (!ran && !(have_findings && findings.len))
        return 0;
    if (decode_findings(findings, d) < 0)
        return record_fail(why, len, "malformed finding");
    if (ran && decode_rules(rules, d) < 0)
        return record_fail(why, len, "malformed rule state");
    return 0;
}
