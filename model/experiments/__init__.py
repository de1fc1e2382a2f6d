"""Experiments on the model: designs, sweeps kept on disk, sensitivity, calibration, bundles.

`designs` reads and samples a design file; `sweeps` runs it, every run kept
as it finishes and resumable; `sensitivity` says what moves an outcome (main
effects, Sobol and Morris indices, where an intervention pays); `calibration`
holds the published figures and the model's value for each; `bundles` packs
a run into one zip that replays to the same numbers.
"""
