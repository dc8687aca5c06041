"""Råhlén & Sjöqvist (2019)'s method card: every setting that can change notebook 03's
numbers, the report's beside ours (standard profile; the paper profile's value where it
differs). The report is in Swedish; its words are given in English translation."""

from __future__ import annotations

from helpers.method import NOT_STATED, MethodCard, Setting

_S = Setting

CARD = MethodCard("03 · Råhlén & Sjöqvist 2019, attribute classifiers", (
    _S("data", "data", "balcony 697, indoor 608, fireplace 478, no_fireplace 256, kitchen 320, "
       "bathroom 260, bedroom 364 (listing photos)",
       "Houses photos: kitchen / bathroom / bedroom; frontal vs indoor",
       "the report's photos are not public; Houses' exterior 'frontal' photos play balcony vs "
       "indoor (a far easier task), and fireplace runs only on a folder you supply", True,
       "section 3.1, table 3.1"),
    _S("split", "split", "The first 80% of the images ... training and the remaining 20% ... "
       "validation", "70/15/15, seeded, stratified (a test split added)",
       "a held-out test split lets the course show what best-epoch validation accuracy "
       "overstates", True, "section 3.1"),
    _S("backbones", "backbone", "ResNet18, Alexnet, VGG-11 with batch normalisation, "
       "Densenet-121, Inception v3", "MobileNetV2, MobileNet, MobileNetV3Small (ImageNet)",
       "Keras has no AlexNet, ResNet18 or VGG-11, and only three backbones have real weights "
       "offline (the paper profile runs the closest Keras ones)", True, "section 3.2"),
    _S("pooling", "pooling", "the last FC layer ... replaced", "global average pool + a new "
       "softmax layer", "the Keras applications' pooled output feeds the new layer, as the "
       "torchvision models' last FC layer did", False, "section 3.2"),
    _S("preprocessing", "preprocessing", "normalised by the same values the models were "
       "pretrained with", "each backbone's own preprocess_input, 224 px",
       "as the report; the report's Inception v3 used 299 px (paper profile: native sizes)",
       False, "section 3.2"),
    _S("head", "model", "These new layers were initialised with random parameters",
       "one new softmax layer", "as the report", False, "section 3.2"),
    _S("modes", "model", "all layers frozen except the added FC layer (feature extraction) "
       "and all layers not frozen (finetuning)",
       "frozen: cached features; fine-tuning: MobileNetV2 from the frozen head",
       "fine-tuning from a fresh head at SGD 1e-3 diverged here; it starts from the trained "
       "head at 1e-4 (paper profile: fresh head, 1e-3)", True, "section 3.2"),
    _S("loss", "loss", "CrossEntropyLoss", "cross-entropy", "as the report", False,
       "section 3.2"),
    _S("optimizer", "optimizer", "stochastic gradient descent with momentum ... momentum 0.9",
       "SGD, momentum 0.9", "as the report", False, "section 3.2"),
    _S("learning rate", "learning rate", "The learning rate was 0.001",
       "1e-3 (fine-tuning 1e-4)", "see modes", True, "section 3.2"),
    _S("epochs", "epochs", "trained for 30 epochs", "30 (fine-tuning 2)",
       "fine-tuning every layer on a CPU is slow; two epochs from the trained head (paper "
       "profile: 30)", True, "section 3.2"),
    _S("batch size", "batch size", "The batch size is 32", "32", "as the report", False,
       "section 3.2"),
    _S("augmentation", "augmentation", "randomly cropped ... flipped horizontally at random",
       "random crop + flip, 2 cached copies per image",
       "frozen features are cached, so augmented copies are drawn once, not every epoch", True,
       "section 3.2"),
    _S("selection", "selection", "best validation accuracy", "best validation epoch kept",
       "as the report; the test split shows how much that choice flatters", False,
       "tables 4.1-4.6"),
    _S("seeds", "seeds", NOT_STATED, "3 head seeds (frozen); one fine-tuning run",
       "our reconstruction: the report shows one run per model", None),
    _S("timing", "evaluation", "training time per model and mode", "timed training steps on "
       "one batch, same machine", "the report's wall-clock includes its data loading and "
       "machine; ratios of timed steps compare the modes alone", True, "tables 4.1-4.6"),
))
