from setuptools import find_packages, setup


def version():
    scope = {}
    with open('mmconvnext/version.py') as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='mmconvnext',
    version=version(),
    description='ConvNeXt backbone and layer-wise lr decay for mmdet 3.x / mmseg 1.x / mmpretrain 1.x',
    long_description=open('README.md').read() if __import__('os').path.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['mmconvnext', 'mmconvnext.*']),
    python_requires='>=3.8',
    install_requires=[
        'torch>=2.4',  # torch.library.custom_op (the fused CPU inference path)
        'numpy',  # 1.x or 2.x: Runner checkpoints written under either load under both
        'mmengine>=0.10,<0.11',
        'mmcv>=2.0,<2.2',
    ],
    extras_require={
        'det': ['mmdet>=3.3,<3.4'],
        'seg': ['mmsegmentation>=1.2,<1.3', 'ftfy', 'regex'],
        'cls': ['mmpretrain>=1.2,<1.3'],
        'deploy': ['onnx>=1.23', 'onnxruntime>=1.32'],  # tools/deploy, docs/deploy.md
        'tests': ['mmdet>=3.3,<3.4', 'mmsegmentation>=1.2,<1.3', 'ftfy', 'regex',
                  'mmpretrain>=1.2,<1.3', 'pytest', 'timm', 'transformers>=4.28,<4.50',
                  'onnx>=1.23', 'onnxruntime>=1.32'],
    },
    license='MIT',
    zip_safe=False,
)
