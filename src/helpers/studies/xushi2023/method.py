"""Xu & Shi (2023)'s method card: every setting that can change notebook 05's numbers, the
report's beside ours (standard profile; the paper profile's value where it differs)."""

from __future__ import annotations

from helpers.method import NOT_STATED, MethodCard, Setting

_S = Setting

CARD = MethodCard("05 · Xu & Shi 2023, Totally Looks Like", (
    _S("data", "data", "the Totally Looks Like dataset introduced by (Rosenfeld et al.)",
       "tll stand-in, 1,500 pairs",
       "TLL has 6,016 pairs (Rosenfeld et al.); the copy at hand holds 1,500, so every split is "
       "a quarter of the report's and the intervals are wider", True, "section 1"),
    _S("split", "split", NOT_STATED,
       "70/10/20 by pair: 1,050 train, 150 val, 300 test",
       "our reconstruction: the report trains, validates (ModelCheckpoint) and tests but gives "
       "no fractions; with 1,500 pairs only 1,050 train the head, likely several times fewer "
       "than the report's", True),
    _S("candidates", "data", "one 'left' image and a set of twenty 'right' images ... nineteen "
       "diverse images from the entire dataset",
       "20: true + 19 random; val/test fixed within own split",
       "training negatives are drawn afresh each epoch among the training pairs; validation and "
       "test candidates are fixed sets drawn inside their own split, so no test image is ever a "
       "training negative (the report drew from the entire dataset)", True,
       "sections 3.2, 3.3"),
    _S("backbones", "backbone", "ResNet50, VGG19, MobileNetV3Large, EfficientNetV2S, "
       "InceptionV3, MobileNetV3Small",
       "MobileNetV2, MobileNet, MobileNetV3Small",
       "the only backbones with ImageNet weights offline; the paper profile runs the report's "
       "six (random init where Keras cannot download them, which no verdict uses)", True,
       "sections 3.3, 4(a)"),
    _S("weights", "backbone", "pre-trained model", "ImageNet (Keras files, sha256 recorded)",
       "the report names no weights file; Keras' ImageNet weights are the usual 'pre-trained' "
       "ones", False, "section 3.3"),
    _S("frozen", "model", NOT_STATED, "backbones frozen, features cached",
       "our reconstruction: the report never says whether the backbones trained; frozen "
       "backbones let every model share one feature pass on a CPU", None),
    _S("pairs", "model", "ResNet50 model as our primary choice ... The second model consists of "
       "the remaining models", "every pair of the three MobileNets",
       "the report paired its best single backbone with each other one; with three backbones "
       "of one family every pair is used (the paper profile pairs the first with each other)",
       True, "section 4(a)"),
    _S("preprocessing", "preprocessing", NOT_STATED, "each backbone's preprocess_input, 224 px",
       "our reconstruction: each Keras application's own preprocessing at its native size", None),
    _S("pooling", "pooling", "The feature maps were then flattened to form feature vectors",
       "global average of the last map (+ 2x2 grid, first pair)",
       "flattened 7x7 maps are 50-100 k wide (ResNet50: 100,352), far too wide for a head "
       "trained on 1,050 pairs; tap avg+grid2 computes the 2x2 grid (spatial layout kept, 4x "
       "the width) once, trains every model on its global average and the first pair also on "
       "the grid", True, "section 3.4"),
    _S("fusion", "model", "We explored both concatenation and average strategies",
       "concat for every pair; average for the first pair",
       "our reconstruction of averaging vectors of different widths: a learned linear "
       "projection of each to the smaller width, then the mean (the report does not say how)",
       True, "section 3.4"),
    _S("head", "model", "goes through a sequence of fully connected layers",
       "linear to 256-d, or 512 ReLU first: chosen on val",
       "inputs L2-normalised per backbone; the report gives no widths or depth, so the hidden "
       "layers are chosen on validation (paper profile: 512 ReLU preferred)", True,
       "section 3.4"),
    _S("dropout", "model", NOT_STATED, "input dropout 0.2, none between layers",
       "our reconstruction: a strong regulariser for 1,050 pairs on 2,000-d vectors (paper "
       "profile: 0.1 between layers)", None),
    _S("similarity", "model", "cosine similarity ... normalized and converted to fall within "
       "the range of [0,1]", "cosine, mapped to [0, 1] by (s + 1) / 2 in the hinge",
       "as the report: the ranker outputs raw cosines and the report's loss maps them to "
       "[0, 1] before the margin; top-k ranks the same on either scale", False,
       "section 3.5"),
    _S("loss", "loss", "L = max(0, max(D[:, 1:]) - D[:, 0] + m) ... m ... usually set to 1.0",
       "the same hinge, margin 1.0 (+ InfoNCE, first pair)",
       "the report's ranking hinge; InfoNCE (temperature 0.1) is the course's extra", False,
       "section 3.1"),
    _S("optimizer", "optimizer", "optimized using the Adam optimizer", "Adam", "as the report",
       False, "abstract"),
    _S("learning rate", "learning rate", NOT_STATED, "1e-3",
       "our reconstruction: section 4(b) says only that the rate was the same for every model; "
       "1e-3 is Adam's default", None),
    _S("epochs", "epochs", NOT_STATED, "8 (paper profile 30), no early stop",
       "our reconstruction: the report gives no count; the kept epoch comes early here (8 and "
       "15 epochs gave the same test top-2)", None),
    _S("checkpoint", "selection", "Model-Checkpoint to save the best model based on the "
       "validation accuracy", "best val top-2 epoch kept", "as the report", False, "abstract"),
    _S("head choice", "selection", NOT_STATED, "hidden layers picked on val (first pair)",
       "our reconstruction: the report gives no head, so its size is chosen on validation, "
       "never on test", None),
    _S("batch size", "batch size", "a batch of twenty-one images is processed",
       "64 anchors x 21 images (paper profile 32)",
       "the report's 21 images are one anchor with its 20 candidates, read as one anchor per "
       "step; ours averages the loss over 64 anchors a step", True, "section 3"),
    _S("augmentation", "augmentation", NOT_STATED, "none (cached features)",
       "our reconstruction: the report mentions none; cached features rule it out", None),
    _S("seeds", "seeds", NOT_STATED, "3 per model (42, 43, 44)",
       "our reconstruction: the report shows one number per model; three seeds give the "
       "intervals over training noise", None),
    _S("metric", "evaluation", "Top-2 K categorical Accuracy",
       "top-2 of 20 (and top-1), val and test",
       "as the report; chance is 2/20 = 0.10", False, "section 3.6"),
))
