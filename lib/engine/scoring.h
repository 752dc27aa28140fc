/*
 * lib/engine/scoring.h - the one place that turns evidence into a risk and a
 * level, shared by single messages (engine.c) and conversations
 * (conversation.c).  Evidence combines as a noisy-OR: `keep` is the product of
 * (1 - w/100) over the rules that fired.
 */
#ifndef NT_ENGINE_SCORING_H
#define NT_ENGINE_SCORING_H

#include "niemtin/engine.h"

/* Level thresholds on the 0-100 risk (docs/scoring.md says how they were
 * chosen). */
#define NT__RISK_SUSPICIOUS 40
#define NT__RISK_DANGEROUS 50

static inline int nt__keep_to_risk(double keep)
{
    int v = (int)(100.0 * (1.0 - keep) + 0.5);
    return v < 0 ? 0 : v > 100 ? 100 : v;
}

/* The statistical model as one more piece of evidence: its harm probability
 * p (scam or grooming) becomes a noisy-OR weight that is 0.30 - just
 * "suspicious" on its own - at the model's decision threshold and rises to
 * 0.60 - "dangerous" - only as p approaches certainty; below the threshold it
 * fades linearly to 0.  Rules thus decide, and the model catches what no
 * rule names and lifts messages where rules and model agree. */
static inline double nt__model_evidence(double p, double threshold)
{
    if (p <= 0.0 || threshold <= 0.0 || threshold >= 1.0)
        return 0.0;
    if (p < threshold)
        return 0.30 * p / threshold;
    return 0.30 + 0.30 * (p - threshold) / (1.0 - threshold);
}

static inline nt_level nt__risk_level(int risk)
{
    return risk >= NT__RISK_DANGEROUS    ? NT_LEVEL_DANGEROUS
           : risk >= NT__RISK_SUSPICIOUS ? NT_LEVEL_SUSPICIOUS
                                         : NT_LEVEL_SAFE;
}

#endif
