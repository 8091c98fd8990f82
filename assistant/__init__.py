"""智能工厂申报助手: retrieval, tier checker and drafting for the 智能工厂梯度培育行动."""

__version__ = "0.1.0"
