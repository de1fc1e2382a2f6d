"""The engine: the Mesa model of the chain and everything it is made of.

`parameters` declares every input once; `mechanisms` holds the links of the
chain as pure functions; `chain` is the Mesa model that keeps state in arrays
and applies the links each week; `agents` are the Mesa agents (thin handles
into those arrays); `observe` declares and computes the recorded measures.
"""
