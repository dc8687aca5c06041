"""Jacobsen (2021)'s method card: every setting that can change notebook 02's numbers, the
report's beside ours (standard profile; the paper profile's value where it differs)."""

from __future__ import annotations

from helpers.method import NOT_STATED, MethodCard, Setting

_S = Setting

CARD = MethodCard("02 · Jacobsen 2021, fine-tuning and SupCon", (
    _S("data", "data", "6415 labelled images, 6 classes (DRE19 revised)",
       "places6: 6 rooms from Places365",
       "DRE19 is private; places6 has the same six rooms, from another source", True,
       "section 4.1, table 1"),
    _S("split", "split", "training, validation and testing set, of respectively: 60% 20% 20%",
       "60/20/20, seeded, stratified", "as the report; 480 test images (80 per room)", False,
       "section 4.1"),
    _S("backbones", "backbone", "Resnet50 and EfficientNetB0, with ImageNet Weights",
       "MobileNetV2 (ImageNet); the two in the paper profile",
       "the only real weights offline are three MobileNets; MobileNetV2 is fine-tuned", True,
       "section 5"),
    _S("tap", "pooling", "a 2048 and a 1280 dimensional feature vector",
       "global average pool (1280-d)",
       "the encoder's pooled output, as the report's vectors are", False, "section 5"),
    _S("preprocessing", "preprocessing", "center the color channels around the mean ... "
       "[103.939, 116.779, 123.68]", "each model's own scheme; Places / Caffe means compared",
       "MobileNetV2 expects [-1, 1]: Caffe-mean inputs are foreign to it, so 'own scheme "
       "wins' is near-automatic here", True, "section 5.1"),
    _S("layers", "model", "stage 7 ... + stage 6 blocks c, d ... + all of stage 6",
       "MobileNetV2 block groups mirroring those stages",
       "EfficientNetB0's stages have no MobileNetV2 twin; groups of similar depth and share of "
       "parameters stand in", True, "section 5.2, table 5"),
    _S("head", "model", "a dense classification layer, with the 6 room classes and softmax "
       "activation", "a 6-way softmax, dropped after training", "as the report", False,
       "section 5"),
    _S("loss", "loss", "max_margin_contrastive_loss(Proj(Enc(x)), labels)",
       "cross-entropy; SupCon (two views, stable) and the margin loss",
       "the report's margin loss is run to show its NaN; SupCon as Khosla et al. wrote it is "
       "the course's fix", True, "section 5.1"),
    _S("projection", "model", "a linear 128 dimensional projection layer", "linear 128-d",
       "as the report", False, "section 5"),
    _S("optimizer", "optimizer", "The 2 optimizers tested were Adam and SGD",
       "grid: SGD (momentum 0.9) and Adam; fine-tuning: the grid's best",
       "table 3's grid runs on a head over frozen MobileNetV2 vectors, not ResNet50's stage 5",
       True, "section 5.5, table 3"),
    _S("learning rate", "learning rate", "0.005 0.001 0.0005 0.0001 0.00005",
       "the same five rates", "as the report's table 3", False, "table 3"),
    _S("epochs", "epochs", NOT_STATED, "grid 10, fine-tuning 6 (patience 2), SupCon 6",
       "our reconstruction: the report plots about 30 epochs for SupCon and gives no count "
       "for fine-tuning; short runs fit a CPU (paper profile: 30 / 100)", None),
    _S("batch size", "batch size", "only batch sizes of 64 were used", "64 (SupCon), 32 "
       "(fine-tuning)", "SupCon as the report; fine-tuning's batch is not stated", False,
       "section 5"),
    _S("augmentation", "augmentation", "flipping and cropping of the images ... just on the "
       "training data set", "2 cached flipped / cropped copies per training image",
       "as the report, with the copies computed once (the backbone's frozen part is cached)",
       False, "section 5.1"),
    _S("selection", "selection", NOT_STATED, "layer group and rate picked on validation",
       "our reconstruction: the report shows test numbers beside the choices it made", None),
    _S("seeds", "seeds", NOT_STATED, "grid: 3 seeds; fine-tuning: one",
       "our reconstruction: one fine-tuning run per configuration, so its interval is over "
       "the 480 test images only", None),
    _S("retrieval", "evaluation", "top-1acc = count/#images-1", "leave-one-out cosine top-1 on "
       "test", "as the report (its distance matrix without the diagonal)", False, "section 5.1"),
))
