// Databricks notebook source
// /Users/zoé@example.com/Projets Été/日本/レポート_scala
