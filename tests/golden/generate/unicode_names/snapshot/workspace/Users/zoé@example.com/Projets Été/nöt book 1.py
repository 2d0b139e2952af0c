# Databricks notebook source
# /Users/zoé@example.com/Projets Été/nöt book 1
