"""The seed's facts as data: the campaign of the real letter (scenario) and that letter as a report model.

Used by the demo, the tests and the benchmarks, and by the core, which tries a campaign's own template on
the seed's letter before recording it. Pure data and domain commands: no adapter, no I/O."""
