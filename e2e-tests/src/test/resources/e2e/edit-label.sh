#!/bin/sh
# KubectlScenarioIT's EDITOR for 'kubectl edit deployment web': adds a label to the Deployment's own metadata
# (its labels are the only ones indented by four spaces in the YAML kubectl writes).
exec sed -i 's/^    app: web$/    app: web\n    edited: by-sed/' "$1"
