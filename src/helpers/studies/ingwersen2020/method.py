"""Ingwersen (2020)'s method card: every setting that can change notebook 01's numbers, the
report's beside ours (standard profile; the paper profile's value where it differs)."""

from __future__ import annotations

from helpers.method import NOT_STATED, MethodCard, Setting

_S = Setting

CARD = MethodCard("01 · Ingwersen 2020, transfer-learned autoencoders", (
    _S("data", "data", "5458 unique, labeled images", "places6: 6 rooms from Places365",
       "DRE19 (Danish listing photos, 6 rooms) is private; places6 has the same six rooms, "
       "from another source and with noisier labels", True, "section 4.1, table 1"),
    _S("split", "split", "a 60-20-20 train-test-val split", "60/20/20, seeded, stratified",
       "as the report; places6's test and validation splits hold 480 images each (80 per "
       "room)", False, "section 4.1"),
    _S("backbones", "backbone", "ResNet50 pretrained on imagenet ... VGG16 pretrained on "
       "places", "MobileNetV2, MobileNet, MobileNetV3Small (ImageNet)",
       "the only backbones with real weights offline; no Places365 weights can be had, so "
       "the report's best backbone (VGG16-Places365) has no stand-in", True,
       "sections 5.2.1, 5.2.2"),
    _S("tap", "pooling", "the global maxpooling feature layer ... the last fully connected "
       "(fc_1) layer", "global average pool (1280-d for MobileNetV2)",
       "each MobileNet's own pooled output; the report's widths (2048, 4096) set the "
       "autoencoders' sizes, which are rescaled to ours at the same compression ratios", True,
       "sections 5.2.1, 5.2.2"),
    _S("preprocessing", "preprocessing", "Simple ... dividing the image array by 255 ... "
       "ImageNet ... Places365 ... [104.006, 116.669, 122.679]",
       "the same three schemes + the flawed /255-twice",
       "the flawed pipeline is our reconstruction of the report's ImageNet rows; the "
       "MobileNets expect [-1, 1] (tf mode), where Caffe-style means are a foreign input", True,
       "section 4.4"),
    _S("image size", "preprocessing", "all images were rescaled to a (224, 224, 3) resolution",
       "224 px", "as the report", False, "section 4.4"),
    _S("autoencoders", "model", "shallow AE 4096->{3072, 2048, 512, 128}, denoising, deep "
       "(4096-2048-1028), deep denoising", "the same grid rescaled to 1280-d inputs",
       "same compression ratios as the report's (appendix C), so 'AE-512' is our 8x code", True,
       "section 6.1, appendix C"),
    _S("noise", "augmentation", "noise-factor = 0.3", "Gaussian noise 0.3 (and 0.5) on scaled "
       "features", "the report's noise factor; as the Keras blog's denoising example does",
       False, "table 5"),
    _S("loss", "loss", "Mean Squared Error (MSE)", "MSE", "as the report", False,
       "section 5.1.4"),
    _S("optimizer", "optimizer", "the ADADELTA optimizer", "Adam (paper profile: Adadelta)",
       "Adadelta needs hundreds of epochs; Adam converges within the standard profile's 60 "
       "(the notebook shows both)", True, "section 5.1.3"),
    _S("learning rate", "learning rate", "it has an adaptive learning rate", "Adam 1e-3",
       "Keras' default; the report tuned none", True, "section 5.1.3"),
    _S("epochs", "epochs", "configured to run for 2000 epochs with earlystopping",
       "at most 60, early stopping patience 8",
       "every report model stopped early; 60 epochs fit a CPU (paper profile: 2000, "
       "patience 20)", True, "section 5.1.4"),
    _S("batch size", "batch size", NOT_STATED, "32",
       "our reconstruction: the report gives no batch size", None),
    _S("selection", "selection", NOT_STATED, "best AE picked on validation top-1, judged on "
       "test", "our reconstruction: the report's tables show test and validation side by "
       "side without saying which picked the model; picking on test would flatter it", None),
    _S("seeds", "seeds", NOT_STATED, "3 AE seeds; features deterministic",
       "our reconstruction: the report shows one run per model", None),
    _S("retrieval", "evaluation", "the column-index of the largest similarity value ... top-5",
       "leave-one-out cosine top-1 / top-5 within a split", "as the report", False,
       "sections 5.1.1, 5.1.2"),
    _S("t-SNE", "evaluation", "perplexity 5 ... 20 ... 50", "perplexity 5, 20, 50 on the "
       "train split, one run each", "KL divergences of one t-SNE run carry no interval", False,
       "appendix E"),
))
