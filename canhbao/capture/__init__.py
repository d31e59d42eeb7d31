"""Analyst capture: one URL fetched the way the crawler does (`url`), or captures made in the analyst's
own browser imported from files (`zeeschuimer`, `saved`); both analysed and alerted like a scan, with
provenance (who, when, from which machine, why) in the audit log and on a `manual_capture` alert."""
