"""The paper's released ConvNeXt, re-implemented in its own layout: the reference that tests
and benchmarks compare :class:`mmconvnext.ConvNeXt` against.

Written independently of the module under test, as the paper's code has it: a channels-first
LayerNorm by hand (mean, (x - u)^2 mean, sqrt) for stem, downsample and output norms, and a
block dwconv -> permute -> LayerNorm -> Linear -> GELU -> Linear -> gamma -> permute back.
With ``use_grn`` the block is the ConvNeXt V2 paper's: GRN (its (1, 1, 1, C) gamma and beta,
``torch.norm`` over H and W) between GELU and the second Linear. Parameter names are the
papers', so the same state dict loads into both (V2's GRN parameters reshaped).
"""
import torch
import torch.nn as nn


class ChannelsFirstLayerNorm(nn.Module):
    """(N, C, H, W) -> (N, C, H, W), normalised over C by hand."""

    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim))
        self.eps = eps

    def forward(self, x):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class PaperGRN(nn.Module):
    """The V2 paper's GRN on (N, H, W, C) maps."""

    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(1, 1, 1, dim))
        self.beta = nn.Parameter(torch.zeros(1, 1, 1, dim))

    def forward(self, x):
        gx = torch.norm(x, p=2, dim=(1, 2), keepdim=True)
        nx = gx / (gx.mean(dim=-1, keepdim=True) + 1e-6)
        return self.gamma * (x * nx) + self.beta + x


class PaperBlock(nn.Module):

    def __init__(self, dim, drop_path=0., layer_scale_init_value=1e-6, use_grn=False):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.grn = PaperGRN(4 * dim) if use_grn else None
        self.pwconv2 = nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(layer_scale_init_value * torch.ones(dim)) \
            if layer_scale_init_value > 0 else None
        self.drop_prob = drop_path

    def forward(self, x):
        shortcut = x
        x = self.dwconv(x)
        x = x.permute(0, 2, 3, 1)
        x = self.norm(x)
        x = self.pwconv1(x)
        x = self.act(x)
        if self.grn is not None:
            x = self.grn(x)
        x = self.pwconv2(x)
        if self.gamma is not None:
            x = self.gamma * x
        x = x.permute(0, 3, 1, 2)
        if self.training and self.drop_prob > 0:
            keep = 1 - self.drop_prob
            mask = x.new_empty((x.shape[0], 1, 1, 1)).bernoulli_(keep)
            x = x * mask / keep
        return shortcut + x


class PaperConvNeXt(nn.Module):
    """The paper's ConvNeXt. ``num_classes=None`` gives the detection/segmentation backbone
    (outputs normalised by ``norm{i}``); an int gives the classifier with final ``norm`` and
    ``head``."""

    def __init__(self, depths=(3, 3, 9, 3), dims=(96, 192, 384, 768), in_chans=3,
                 num_classes=None, out_indices=(0, 1, 2, 3), drop_path_rate=0.,
                 layer_scale_init_value=1e-6, use_grn=False):
        super().__init__()
        self.downsample_layers = nn.ModuleList()
        self.downsample_layers.append(nn.Sequential(
            nn.Conv2d(in_chans, dims[0], kernel_size=4, stride=4),
            ChannelsFirstLayerNorm(dims[0])))
        for i in range(3):
            self.downsample_layers.append(nn.Sequential(
                ChannelsFirstLayerNorm(dims[i]),
                nn.Conv2d(dims[i], dims[i + 1], kernel_size=2, stride=2)))
        dp_rates = torch.linspace(0, drop_path_rate, sum(depths), device='cpu').tolist()
        self.stages = nn.ModuleList()
        cur = 0
        for i in range(4):
            self.stages.append(nn.Sequential(*[
                PaperBlock(dims[i], dp_rates[cur + j], layer_scale_init_value, use_grn)
                for j in range(depths[i])]))
            cur += depths[i]
        self.num_classes = num_classes
        if num_classes is None:
            self.out_indices = out_indices
            for i in out_indices:
                self.add_module(f'norm{i}', ChannelsFirstLayerNorm(dims[i]))
        else:
            self.norm = nn.LayerNorm(dims[-1], eps=1e-6)
            self.head = nn.Linear(dims[-1], num_classes)

    def forward_features(self, x):
        outs = []
        for i in range(4):
            x = self.downsample_layers[i](x)
            x = self.stages[i](x)
            if self.num_classes is None and i in self.out_indices:
                outs.append(getattr(self, f'norm{i}')(x))
        return tuple(outs) if self.num_classes is None else self.norm(x.mean([-2, -1]))

    def forward(self, x):
        x = self.forward_features(x)
        return x if self.num_classes is None else self.head(x)


def randomize_(module: nn.Module, seed: int = 0) -> nn.Module:
    """Give every parameter (gamma and norms included) random values of a sensible size,
    so that no block is close to the identity and comparisons mean something."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.ndim == 1 and name.endswith('weight'):      # norm scales around 1
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith(('gamma', 'grn.beta')):              # layer scale, GRN
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))
            elif p.ndim == 1:                                 # biases
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            else:                                             # fan-in scaled weights
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) / fan_in**0.5)
    return module
