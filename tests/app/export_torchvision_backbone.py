# Exports a torchvision ResNet-18 as a frozen feature extractor for Classifier Studio, as the
# README shows: OUT.pt SIZE. Random weights (no Debian package ships pretrained ones); a
# colleague's trained model is exported the same way.
import json
import sys

import torch
import torchvision

out, size = sys.argv[1], int(sys.argv[2])
model = torchvision.models.resnet18(weights=None)
model.fc = torch.nn.Identity()  # the 512 features, not the 1000 ImageNet scores
model.eval()
metadata = {"input_size": [size, size], "channels": 3,
            "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
torch.jit.save(torch.jit.script(model), out,
               _extra_files={"extractor.json": json.dumps(metadata)})
print(f"torch {torch.__version__}, torchvision {torchvision.__version__}: wrote {out}")
