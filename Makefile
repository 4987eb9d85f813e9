# The front door. `make run`: set up, train if needed, serve. `make test`: set up, run every test.
# Everything installs into .venv from Python 3.10 (Rasa 3.6 refuses 3.11+), pinned by constraints.txt.

# The first Python 3.10 that really runs (a pyenv shim may exist without one behind it).
PYTHON310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10.*/bin/python /root/.pyenv/versions/3.10.*/bin/python; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo "$$p"; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/assistant.tar.gz
# The model is retrained only when one of these changed since it was built.
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') \
	bot/language.py bot/language_component.py bot/folding_tokenizer.py bot/training_vocabulary.py \
	bot/safety.py bot/safety_component.py bot/safety_policy.py bot/safety_patterns.py bot/intent_ranking.py \
	bot/training.py bot/linear_classifier.py bot/blended_intent_classifier.py bot/yes_idioms.py

export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
# Repeatable training: TensorFlow on CPU otherwise sums in thread order, and the same data gave
# held-out accuracy 2 points apart on two trainings.
export TF_DETERMINISTIC_OPS := 1

.PHONY: run test train bench setup screenshots check update-model

# A model refused for accuracy (see update-model) leaves the previous one serving.
run: $(VENV)/.installed
	@$(MAKE) --no-print-directory $(MODEL) || { test -f $(MODEL) && echo "Serving the previous model."; }
	$(BIN)/python -m bot.launch

test: $(VENV)/.installed
	$(BIN)/python -m pytest

train: $(MODEL)

setup: $(VENV)/.installed

# Staff: check the FAQ data, then retrain what changed, test it, and serve it if good enough.
check: $(VENV)/.installed
	$(BIN)/python -m bot.data_check

# ARGS=--restore-previous serves again the model the last accepted update replaced.
update-model: $(VENV)/.installed
	PYTHONWARNINGS=ignore $(BIN)/python -m bot.model_update $(ARGS)

bench: $(MODEL)
	$(BIN)/python -m bench.run

# docs/widget-*.png: the chat widget in headless Chromium (Debian's chromium package).
screenshots: $(MODEL)
	$(BIN)/python docs/make_screenshots.py

$(VENV)/.installed: requirements.txt constraints.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: install it, or run make PYTHON310=/path/to/python3.10"; exit 1; }
	$(PYTHON310) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip<25"
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

# Trained, tested on the held-out questions, and kept only above the accuracy floor.
$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	PYTHONWARNINGS=ignore $(BIN)/python -m bot.model_update
