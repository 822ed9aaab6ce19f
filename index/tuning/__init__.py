"""`newsdesk model tune`: the bundled all-MiniLM-L6-v2 fine-tuned on how news questions are asked.

recipe.py holds every number of the recipe; text.py the recipe's own text helpers; leakage.py keeps
evaluation articles out of the training data; quiz.py and squad.py turn the two data sets into
(question, answer sentence, hard negative) triplets; triplets.py puts them together; train.py fits
the model; tune.py runs it all and writes the model folder with its provenance.
"""
